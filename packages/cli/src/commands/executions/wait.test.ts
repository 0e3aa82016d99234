import { describe, expect, it } from "vitest";
import { captureIo, execution as detail, row } from "../../../test/fixtures.js";
import { waitForExecution } from "./wait.js";

function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

describe("waitForExecution", () => {
  it("polls until every target reported, printing each new progress line", async () => {
    const states = [
      detail([row("a", "pending"), row("b", "pending")]),
      detail([row("a", "running"), row("b", "pending")]),
      detail([row("a", "running"), row("b", "pending")]),
      detail([row("a", "succeeded"), row("b", "failed")]),
    ];
    let i = 0;
    const io = captureIo();
    const out = await waitForExecution({ client: { getExecution: async () => states[Math.min(i++, states.length - 1)]! }, io, ...fakeClock() }, "e1");
    expect(out.timedOut).toBe(false);
    expect(out.detail.rows.map((r) => r.status)).toEqual(["succeeded", "failed"]);
    expect(io.errWrites).toEqual(["0/2 done, 0 running, 2 pending\n", "0/2 done, 1 running, 1 pending\n", "2/2 done, 0 running, 0 pending\n"]);
  });

  it("gives up at the timeout with what it has so far", async () => {
    const stuck = detail([row("a", "succeeded"), row("b", "running")]);
    const out = await waitForExecution({ client: { getExecution: async () => stuck }, io: captureIo(), ...fakeClock() }, "e1", { timeoutMs: 2_000 });
    expect(out.timedOut).toBe(true);
    expect(out.detail.counts.done).toBe(1);
  });
});
