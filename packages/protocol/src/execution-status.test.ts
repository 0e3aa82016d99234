import { describe, expect, it } from "vitest";
import type { ExecutionCounts } from "./api.js";
import { countOf, nonZeroCounts, ROW_STATUSES, rowStory, skipReasons } from "./execution-status.js";
import { shortId } from "./ids.js";

const counts: ExecutionCounts = { total: 306, pending: 1, running: 1, done: 304, succeeded: 3, failed: 0, timed_out: 0, killed: 0, skipped: 300, error: 1, not_sent: 0 };

describe("execution status vocabulary", () => {
  it("lists every status once, outcomes before waiting", () => {
    expect(new Set(ROW_STATUSES).size).toBe(ROW_STATUSES.length);
    expect(ROW_STATUSES.slice(-2)).toEqual(["running", "pending"]);
  });
  it("counts every status, not_sent included", () => {
    expect(ROW_STATUSES.reduce((n, s) => n + countOf(counts, s), 0)).toBe(counts.total);
    expect(countOf({ ...counts, not_sent: undefined }, "not_sent")).toBe(0);
  });
  it("names the statuses that have PCs, in order", () => {
    expect(nonZeroCounts(counts)).toEqual([
      { status: "succeeded", n: 3 },
      { status: "error", n: 1 },
      { status: "skipped", n: 300 },
      { status: "running", n: 1 },
      { status: "pending", n: 1 },
    ]);
  });
  it("tells each row's story in one line: skip reason, stderr when it did not succeed, else stdout", () => {
    const base = { stdout_first_line: "ok", stderr_first_line: "Access is denied.", skip_reason: null };
    expect(rowStory({ ...base, status: "failed" })).toEqual({ stream: "stderr", text: "Access is denied." });
    expect(rowStory({ ...base, status: "succeeded" })).toEqual({ stream: "stdout", text: "ok" });
    expect(rowStory({ ...base, status: "succeeded", stdout_first_line: "" })).toEqual({ stream: "stderr", text: "Access is denied." });
    expect(rowStory({ status: "skipped", stdout_first_line: null, stderr_first_line: null, skip_reason: "revoked" })).toEqual({ stream: "skip", text: "revoked" });
    expect(rowStory({ status: "pending", stdout_first_line: null })).toBeNull();
  });
  it("shortens ids to the random tail the UI shows", () => {
    expect(shortId("01a22aaf-f36c-7009-a7e6-b0f3b932440f")).toBe("b932440f");
  });
  it("counts skip reasons, most common first", () => {
    const rows = [
      { status: "skipped" as const, skip_reason: "job revoked" },
      { status: "skipped" as const, skip_reason: "deadline passed" },
      { status: "skipped" as const, skip_reason: "job revoked" },
      { status: "skipped" as const, skip_reason: null },
      { status: "failed" as const, skip_reason: null },
    ];
    expect(skipReasons(rows)).toEqual([
      { reason: "job revoked", n: 2 },
      { reason: "deadline passed", n: 1 },
      { reason: "no reason given", n: 1 },
    ]);
  });
});
