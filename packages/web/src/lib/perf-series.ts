/** A bounded, time-ordered buffer of one PC's host samples, shaped as uPlot column arrays. */
import type { HostPerf } from "@kanade/protocol";

export interface PerfColumns {
  /** Unix seconds. */
  t: number[];
  cpu: number[];
  memPct: number[];
  diskRead: number[];
  diskWrite: number[];
  netRx: number[];
  netTx: number[];
}

export const emptyColumns = (): PerfColumns => ({ t: [], cpu: [], memPct: [], diskRead: [], diskWrite: [], netRx: [], netTx: [] });

/** Adds samples (history or live frames), dropping duplicates by time and keeping the newest `max`. */
export function appendSamples(prev: readonly HostPerf[], incoming: readonly HostPerf[], max = 600): HostPerf[] {
  const byTime = new Map<string, HostPerf>();
  for (const s of prev) byTime.set(s.at, s);
  for (const s of incoming) byTime.set(s.at, s);
  const all = [...byTime.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return all.length > max ? all.slice(all.length - max) : all;
}

export function toColumns(samples: readonly HostPerf[]): PerfColumns {
  const c = emptyColumns();
  for (const s of samples) {
    c.t.push(Date.parse(s.at) / 1000);
    c.cpu.push(s.cpu_pct);
    c.memPct.push(s.mem_total_bytes > 0 ? (s.mem_used_bytes / s.mem_total_bytes) * 100 : 0);
    c.diskRead.push(s.disk_read_bytes_per_sec);
    c.diskWrite.push(s.disk_write_bytes_per_sec);
    c.netRx.push(s.net_rx_bytes_per_sec);
    c.netTx.push(s.net_tx_bytes_per_sec);
  }
  return c;
}
