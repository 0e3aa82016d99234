import { describe, expect, it } from "vitest";
import type { HostPerf } from "@kanade/protocol";
import { hottest, liveAndStale, mergeLatest } from "./fleet-board.js";
import { appendSamples, toColumns } from "./perf-series.js";

const s = (pc_id: string, at: string, more: Partial<HostPerf> = {}): HostPerf => ({
  pc_id,
  at,
  cpu_pct: 10,
  cpu_count: 4,
  mem_used_bytes: 1,
  mem_total_bytes: 4,
  disk_read_bytes_per_sec: 0,
  disk_write_bytes_per_sec: 0,
  net_rx_bytes_per_sec: 0,
  net_tx_bytes_per_sec: 0,
  ...more,
});

describe("perf series", () => {
  it("merges history and live frames in time order without duplicates, bounded", () => {
    const a = appendSamples([s("p", "2025-01-01T00:00:02Z")], [s("p", "2025-01-01T00:00:01Z"), s("p", "2025-01-01T00:00:02Z")]);
    expect(a.map((x) => x.at)).toEqual(["2025-01-01T00:00:01Z", "2025-01-01T00:00:02Z"]);
    expect(appendSamples(a, [s("p", "2025-01-01T00:00:03Z")], 2).map((x) => x.at)).toEqual(["2025-01-01T00:00:02Z", "2025-01-01T00:00:03Z"]);
  });
  it("shapes samples as columns with memory in percent", () => {
    const c = toColumns([s("p", "2025-01-01T00:00:00Z", { cpu_pct: 42 })]);
    expect(c.t).toEqual([Date.parse("2025-01-01T00:00:00Z") / 1000]);
    expect(c.cpu).toEqual([42]);
    expect(c.memPct).toEqual([25]);
  });
});

describe("fleet board", () => {
  it("keeps the newest sample per PC and sorts hottest first", () => {
    let board = mergeLatest(new Map(), [s("a", "2025-01-01T00:00:02Z", { cpu_pct: 90 }), s("b", "2025-01-01T00:00:02Z", { cpu_pct: 50 })]);
    board = mergeLatest(board, [s("a", "2025-01-01T00:00:01Z", { cpu_pct: 1 }), s("b", "2025-01-01T00:00:03Z", { cpu_pct: 95, net_rx_bytes_per_sec: 1 })]);
    expect(hottest(board, "cpu").map((x) => [x.pc_id, x.cpu_pct])).toEqual([["b", 95], ["a", 90]]);
    expect(hottest(board, "net")[0]?.pc_id).toBe("b");
    expect(hottest(board, "cpu", 1)).toHaveLength(1);
  });
});

describe("live and stale rows", () => {
  it("keeps an offline PC's 99 % out of the hottest list", () => {
    const board = mergeLatest(new Map(), [s("gone", "2026-01-01T00:00:00Z", { cpu_pct: 99 }), s("busy", "2026-01-01T00:00:00Z", { cpu_pct: 60 }), s("idle", "2026-01-01T00:00:00Z", { cpu_pct: 5 })]);
    const split = liveAndStale(board, "cpu", (x) => x.pc_id !== "gone");
    expect(split.live.map((x) => x.pc_id)).toEqual(["busy", "idle"]);
    expect(split.stale.map((x) => x.pc_id)).toEqual(["gone"]);
  });
});
