import type { ExecutionCounts } from "@kanade/protocol";
import { describe, expect, it } from "vitest";
import { countParts } from "./progress-parts.js";

const zero: ExecutionCounts = { total: 0, pending: 0, running: 0, done: 0, succeeded: 0, failed: 0, timed_out: 0, killed: 0, skipped: 0, error: 0 };

describe("progress parts", () => {
  it("counts the PCs a failed publish never reached", () => {
    expect(countParts({ ...zero, total: 5, not_sent: 5 })).toEqual([{ status: "not_sent", n: 5 }]);
  });
  it("lists only statuses with PCs, outcomes before what is under way", () => {
    expect(countParts({ ...zero, total: 6, done: 3, succeeded: 2, killed: 1, running: 2, pending: 1 })).toEqual([
      { status: "succeeded", n: 2 },
      { status: "killed", n: 1 },
      { status: "running", n: 2 },
      { status: "pending", n: 1 },
    ]);
  });
  it("reads an answer without not_sent (an execution that published) as none", () => {
    expect(countParts({ ...zero, total: 1, done: 1, failed: 1 })).toEqual([{ status: "failed", n: 1 }]);
  });
});
