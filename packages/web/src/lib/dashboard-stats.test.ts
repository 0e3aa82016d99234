import { describe, expect, it } from "vitest";
import type { ExecutionCounts, ExecutionSummary } from "@kanade/protocol";
import { dashboardStats } from "./dashboard-stats.js";

const zero: ExecutionCounts = { total: 0, pending: 0, running: 0, done: 0, succeeded: 0, failed: 0, timed_out: 0, killed: 0, skipped: 0, error: 0 };
const exec = (id: string, created_at: string, counts: Partial<ExecutionCounts>): ExecutionSummary => ({
  exec_id: id,
  job_id: "hello",
  version: "1.0.0",
  state: "completed",
  target: { all: true },
  target_count: 1,
  created_at,
  issued_by: "test",
  counts: { ...zero, ...counts },
});

describe("dashboardStats", () => {
  const now = new Date("2025-06-01T12:00:00Z");
  it("counts agents, recent runs and the success rate", () => {
    const s = dashboardStats(
      { total: 3, online: 2, offline: 1 },
      [
        exec("1", "2025-06-01T11:00:00Z", { succeeded: 3, failed: 1 }),
        exec("2", "2025-06-01T10:00:00Z", { succeeded: 4, timed_out: 1, error: 1 }),
        exec("old", "2025-05-20T10:00:00Z", { succeeded: 100 }),
      ],
      now,
    );
    expect(s).toMatchObject({ online: 2, offline: 1, runs24h: 2, succeeded: 7, failed: 3, successRate: 70 });
    expect(s.attention.map((e) => e.exec_id)).toEqual(["1", "2"]);
  });
  it("lists an execution that failed to publish for attention, without counting its PCs as failed runs", () => {
    const unpublished = { ...exec("np", "2025-06-01T11:30:00Z", { total: 4, not_sent: 4 }), state: "failed_to_publish" as const };
    const s = dashboardStats(undefined, [exec("ok", "2025-06-01T11:00:00Z", { succeeded: 2 }), unpublished], now);
    expect(s.attention.map((e) => e.exec_id)).toEqual(["np"]);
    expect(s).toMatchObject({ succeeded: 2, failed: 0, successRate: 100 });
  });
  it("has no success rate when nothing finished", () => {
    expect(dashboardStats(undefined, [], now).successRate).toBeNull();
  });
});
