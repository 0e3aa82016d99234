import { describe, expect, it } from "vitest";
import { cpuPctBetween, rate } from "./host-sampler.js";
import { topProcesses } from "./perf-source.js";

describe("host sampler math", () => {
  it("computes machine CPU % from busy/total deltas", () => {
    expect(cpuPctBetween({ busy: 100, total: 1000 }, { busy: 350, total: 2000 })).toBe(25);
    expect(cpuPctBetween({ busy: 1, total: 1 }, { busy: 1, total: 1 })).toBe(0);
  });

  it("turns counter deltas into bytes per second and ignores resets", () => {
    expect(rate(1000, 3000, 2000)).toBe(1000);
    expect(rate(5000, 10, 1000)).toBe(0);
  });

  it("lists top processes by CPU and by RSS without duplicates", () => {
    const procs = [
      { pid: 1, name: "a", cpu_pct: 50, rss_bytes: 10 },
      { pid: 2, name: "b", cpu_pct: 1, rss_bytes: 9000 },
      { pid: 3, name: "c", cpu_pct: 0, rss_bytes: 5 },
    ];
    expect(topProcesses(procs, 1).map((p) => p.pid)).toEqual([1, 2]);
    expect(topProcesses(procs, 5).map((p) => p.pid)).toEqual([1, 2, 3]);
  });
});
