import type { ExecutionCounts, ExecutionRow } from "@kanade/protocol";
import { describe, expect, it } from "vitest";
import { filterRows, killTargets, rowQuery, rowSearch, statusChips } from "./execution-filter.js";

const row = (pc_id: string, status: ExecutionRow["status"], online = true): ExecutionRow => ({
  pc_id, status, online, result_id: null, exit_code: null, started_at: null, finished_at: null, duration_ms: null, stdout_first_line: null,
});
const zero: ExecutionCounts = { total: 0, pending: 0, running: 0, done: 0, succeeded: 0, failed: 0, timed_out: 0, killed: 0, skipped: 0, error: 0 };
const rows = [row("tokyo-1", "succeeded"), row("tokyo-2", "failed"), row("osaka-1", "pending", false), row("osaka-2", "pending"), row("osaka-3", "skipped")];

describe("execution triage", () => {
  it("filters rows by status, by offline pending PCs, and by PC", () => {
    expect(filterRows(rows, { status: "failed", pc: "" }).map((r) => r.pc_id)).toEqual(["tokyo-2"]);
    expect(filterRows(rows, { status: "offline", pc: "" }).map((r) => r.pc_id)).toEqual(["osaka-1"]);
    expect(filterRows(rows, { status: "pending", pc: "" }).map((r) => r.pc_id)).toEqual(["osaka-1", "osaka-2"]);
    expect(filterRows(rows, { status: null, pc: "OSAKA" }).map((r) => r.pc_id)).toEqual(["osaka-1", "osaka-2", "osaka-3"]);
  });
  it("offers one chip per status with PCs, and the offline ones", () => {
    const counts = { ...zero, total: 5, done: 3, succeeded: 1, failed: 1, skipped: 1, pending: 2 };
    expect(statusChips({ counts, offline_waiting: 1 })).toEqual([
      { filter: "succeeded", n: 1 },
      { filter: "failed", n: 1 },
      { filter: "skipped", n: 1 },
      { filter: "pending", n: 2 },
      { filter: "offline", n: 1 },
    ]);
    expect(killTargets({ counts: { ...counts, running: 3 } })).toBe(5);
  });
  it("keeps the filter in the URL", () => {
    expect(rowSearch({ status: "failed", pc: "tokyo" })).toBe("?status=failed&pc=tokyo");
    expect(rowQuery(new URLSearchParams("status=offline&pc=x"))).toEqual({ status: "offline", pc: "x" });
    expect(rowQuery(new URLSearchParams("status=bogus"))).toEqual({ status: null, pc: "" });
    expect(rowSearch({ status: null, pc: " " })).toBe("");
  });
});
