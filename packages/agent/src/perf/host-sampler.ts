/** HostPerf from deltas: CPU % over all cores since the previous sample, byte rates from counters. */
import { cpus, type CpuInfo } from "node:os";
import type { HostPerf } from "@kanade/protocol/wire";
import type { IoCounters, PerfSource } from "./perf-source.js";

interface CpuTimes {
  busy: number;
  total: number;
}

export function cpuTimes(list: readonly CpuInfo[]): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const c of list) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

/** Busy share of the elapsed CPU time between two readings, 0–100 for the whole machine. */
export function cpuPctBetween(a: CpuTimes, b: CpuTimes): number {
  const total = b.total - a.total;
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, Math.round(((b.busy - a.busy) / total) * 1000) / 10));
}

/** Bytes per second between two counter readings; a counter that went backwards (reset) counts as 0. */
export function rate(before: number, after: number, elapsedMs: number): number {
  if (elapsedMs <= 0 || after < before) return 0;
  return Math.round(((after - before) * 1000) / elapsedMs);
}

/** Samples are deltas since the previous call, so the periodic and the live stream each keep their own. */
export class HostSampler {
  private prevCpu: CpuTimes = cpuTimes(cpus());
  private prevIo: IoCounters | undefined;
  private prevAt: number;

  constructor(
    private readonly pcId: string,
    private readonly source: PerfSource,
    private readonly now: () => number = Date.now,
  ) {
    this.prevAt = now();
  }

  /** Reads counters once so the first real sample has a baseline. */
  async prime(): Promise<void> {
    this.prevIo = await this.source.ioCounters();
    this.prevCpu = cpuTimes(cpus());
    this.prevAt = this.now();
  }

  async sample(): Promise<HostPerf> {
    const [mem, io] = await Promise.all([this.source.memory(), this.source.ioCounters()]);
    const list = cpus();
    const cpu = cpuTimes(list);
    const at = this.now();
    const elapsed = at - this.prevAt;
    const prev = this.prevIo;
    const sample: HostPerf = {
      pc_id: this.pcId,
      at: new Date(at).toISOString(),
      cpu_pct: cpuPctBetween(this.prevCpu, cpu),
      cpu_count: list.length,
      mem_used_bytes: mem.usedBytes,
      mem_total_bytes: mem.totalBytes,
      disk_read_bytes_per_sec: prev && io ? rate(prev.diskReadBytes, io.diskReadBytes, elapsed) : 0,
      disk_write_bytes_per_sec: prev && io ? rate(prev.diskWriteBytes, io.diskWriteBytes, elapsed) : 0,
      net_rx_bytes_per_sec: prev && io ? rate(prev.netRxBytes, io.netRxBytes, elapsed) : 0,
      net_tx_bytes_per_sec: prev && io ? rate(prev.netTxBytes, io.netTxBytes, elapsed) : 0,
    };
    this.prevCpu = cpu;
    this.prevIo = io;
    this.prevAt = at;
    return sample;
  }
}
