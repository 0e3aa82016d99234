import { describe, expect, it } from "vitest";
import { readPerfFrame } from "./perf-socket.js";

const host = {
  pc_id: "pc-1", at: "2025-06-01T12:00:00Z", cpu_pct: 12.5, cpu_count: 8, mem_used_bytes: 1, mem_total_bytes: 2,
  disk_read_bytes_per_sec: 0, disk_write_bytes_per_sec: 0, net_rx_bytes_per_sec: 0, net_tx_bytes_per_sec: 0,
};

describe("perf frames", () => {
  it("reads a frame the route's schema accepts", () => {
    expect(readPerfFrame(JSON.stringify({ type: "host_perf", data: host }))).toEqual({ frame: { type: "host_perf", data: host } });
  });
  it("says why a frame is refused instead of drawing it", () => {
    expect(readPerfFrame("{nope")).toMatchObject({ problem: expect.stringMatching(/^bad frame/) });
    expect(readPerfFrame(JSON.stringify({ type: "host_perf", data: { ...host, cpu_pct: "high" } }))).toMatchObject({ problem: expect.stringMatching(/^unexpected frame/) });
  });
});
