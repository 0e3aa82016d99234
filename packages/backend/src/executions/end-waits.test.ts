import { describe, expect, it } from "vitest";
import { endWaits } from "./end-waits.js";

describe("waiting for an execution's end", () => {
  it("answers when told of a change that ended it, and only the waits on that execution look again", async () => {
    const waits = endWaits({ recheckMs: 60_000 });
    let ended = false;
    const asked: string[] = [];
    const other = waits.wait("other", 300, async () => (asked.push("other"), false));
    const done = waits.wait("e1", 30_000, async () => (asked.push("e1"), ended));
    let answered = false;
    void done.then(() => (answered = true));
    await Promise.resolve();
    expect(asked).toEqual(["other", "e1"]);
    waits.changed(["e1"]);
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    ended = true;
    waits.changed(["e1", "e1"]);
    await done;
    expect(asked).toEqual(["other", "e1", "e1", "e1"]);
    waits.changed(["other"]);
    await new Promise((r) => setImmediate(r));
    expect(asked.filter((a) => a === "other")).toHaveLength(2);
    await other; // not ended: answered when its wait is up
  });

  it("answers at the end of the wait when the execution has not ended, and passes a failed read on", async () => {
    const waits = endWaits();
    await expect(waits.wait("e1", 20, async () => false)).resolves.toBeUndefined();
    await expect(waits.wait("gone", 30_000, async () => Promise.reject(new Error("no execution")))).rejects.toThrow("no execution");
  });

  it("answers every wait at once when released (the server is closing)", async () => {
    const waits = endWaits();
    const pending = [waits.wait("e1", 30_000, async () => false), waits.wait("e2", 30_000, async () => false)];
    waits.releaseAll();
    await expect(Promise.all(pending)).resolves.toEqual([undefined, undefined]);
  });
});
