import type { ExecutionCounts } from "@kanade/protocol";
import { describe, expect, it } from "vitest";
import { captureIo } from "../test/fixtures.js";
import { isFinished, progressLine, ProgressReporter } from "./progress.js";

const counts = (c: Partial<ExecutionCounts>): ExecutionCounts => ({
  total: 3, pending: 0, running: 0, done: 0, succeeded: 0, failed: 0, timed_out: 0, killed: 0, skipped: 0, error: 0, ...c,
});

describe("progress", () => {
  it("says how many are done, running and pending", () => {
    expect(progressLine({ counts: counts({ done: 2, running: 1 }), target_count: 3, state: "running" })).toBe("2/3 done, 1 running, 0 pending");
    expect(progressLine({ counts: counts({ pending: 3 }), target_count: 3, state: "pending_approval" })).toBe(
      "0/3 done, 0 running, 3 pending (waiting for approval)",
    );
  });

  it("says how many PCs were never sent the command, and that a failed publish or a kill is the end", () => {
    const notSent = { counts: counts({ done: 3, not_sent: 3 }), target_count: 3, state: "failed_to_publish" as const };
    expect(progressLine(notSent)).toBe("3/3 done, 0 running, 0 pending, 3 not sent");
    expect(isFinished({ ...notSent, counts: counts({ done: 0, not_sent: 0 }) })).toBe(true);
    expect(isFinished({ counts: counts({ done: 1 }), target_count: 3, state: "killed" })).toBe(true);
  });

  it("is finished when every target reported or the execution ended", () => {
    expect(isFinished({ counts: counts({ done: 3 }), target_count: 3, state: "running" })).toBe(true);
    expect(isFinished({ counts: counts({ done: 2 }), target_count: 3, state: "running" })).toBe(false);
    expect(isFinished({ counts: counts({}), target_count: 3, state: "rejected" })).toBe(true);
  });

  it("is finished when the execution was killed and nothing runs, even if PCs never reported", () => {
    const killed_at = "2026-01-01T00:00:00.000Z";
    expect(isFinished({ counts: counts({ done: 1, pending: 2 }), target_count: 3, state: "running", killed_at })).toBe(true);
    expect(isFinished({ counts: counts({ done: 1, running: 1, pending: 1 }), target_count: 3, state: "running", killed_at })).toBe(false);
  });

  it("prints only changed lines when stderr is not a terminal", () => {
    const io = captureIo(false);
    const p = new ProgressReporter(io);
    for (const line of ["0/2 done", "0/2 done", "1/2 done", "2/2 done"]) p.update(line);
    p.finish();
    expect(io.errWrites.join("")).toBe("0/2 done\n1/2 done\n2/2 done\n");
  });

  it("rewrites one line in place on a terminal and ends it with a newline", () => {
    const io = captureIo(true);
    const p = new ProgressReporter(io);
    p.update("0/2 done");
    p.update("2/2 done");
    p.finish();
    expect(io.errWrites.join("")).toBe("\r\x1b[2K0/2 done\r\x1b[2K2/2 done\n");
  });
});
