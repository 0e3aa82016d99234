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
    const out = await waitForExecution({ io, ...fakeClock() }, async () => states[Math.min(i++, states.length - 1)]!, {});
    expect(out.timedOut).toBe(false);
    expect(out.summary.counts.done).toBe(2);
    expect(io.errWrites).toEqual(["0/2 done, 0 running, 2 pending\n", "0/2 done, 1 running, 1 pending\n", "2/2 done, 0 running, 0 pending\n"]);
  });

  it("gives up at the timeout with what it has so far", async () => {
    const stuck = detail([row("a", "succeeded"), row("b", "running")]);
    const out = await waitForExecution({ io: captureIo(), ...fakeClock() }, async () => stuck, { timeoutMs: 2_000 });
    expect(out.timedOut).toBe(true);
    expect(out.summary.counts.done).toBe(1);
  });

  it("stops at a failed publish, saying how many PCs were not sent", async () => {
    const failed = { ...detail([row("a", "not_sent"), row("b", "not_sent")]), state: "failed_to_publish" as const };
    failed.counts = { ...failed.counts, done: 2, not_sent: 2 };
    const io = captureIo();
    const out = await waitForExecution({ io, ...fakeClock() }, async () => failed);
    expect(out).toMatchObject({ timedOut: false, summary: { state: "failed_to_publish" } });
    expect(io.errWrites).toEqual(["2/2 done, 0 running, 0 pending, 2 not sent\n"]);
  });
});
