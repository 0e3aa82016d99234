import { describe, expect, it } from "vitest";
import { waitFor } from "@kanade/testkit";
import { DelayedCalls, delayedCalls } from "./delayed-calls.js";

describe("DelayedCalls", () => {
  it("runs calls in the order they were scheduled, each after the delay, and never a cancelled one", async () => {
    const q = new DelayedCalls(20);
    const ran: string[] = [];
    const add = (name: string) => q.schedule(() => ran.push(name));
    add("a");
    const b = add("b");
    add("c");
    b.cancel();
    await Promise.resolve();
    expect(ran).toEqual([]);
    await waitFor(() => ran.includes("c") || undefined, { what: "the last call" });
    // One scheduled while the queue is idle again re-arms it.
    add("d");
    await waitFor(() => ran.includes("d") || undefined, { what: "a call after the queue emptied" });
    expect(ran).toEqual(["a", "c", "d"]);
    expect(q.size()).toBe(0);
  });

  it("keeps cancelled calls until they fall due, then forgets them", async () => {
    const q = new DelayedCalls(10);
    const calls = Array.from({ length: 2000 }, () => q.schedule(() => expect.unreachable("cancelled")));
    for (const c of calls) c.cancel();
    expect(q.size()).toBe(2000);
    let last = false;
    q.schedule(() => (last = true));
    await waitFor(() => last || undefined, { what: "the call after the cancelled ones" });
    expect(q.size()).toBe(0);
  });

  it("is one queue per delay for the whole process", () => {
    expect(delayedCalls(1234)).toBe(delayedCalls(1234));
    expect(delayedCalls(1234)).not.toBe(delayedCalls(1235));
  });
});
