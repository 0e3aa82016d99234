/** Where host and process numbers come from; one implementation per OS family (linux-source, windows-source). */

export interface IoCounters {
  /** Cumulative bytes since boot; rates come from deltas between two reads. */
  diskReadBytes: number;
  diskWriteBytes: number;
  netRxBytes: number;
  netTxBytes: number;
}

export interface ProcessSample {
  pid: number;
  name: string;
  cpu_pct: number;
  rss_bytes: number;
}

export interface PerfSource {
  memory(): Promise<{ totalBytes: number; usedBytes: number }>;
  /** Cumulative disk and network bytes; undefined where the OS gives no cheap way to read them. */
  ioCounters(): Promise<IoCounters | undefined>;
  /** Every process with its CPU % since the previous call (100 = one core) and resident bytes. */
  processes(): Promise<ProcessSample[]>;
  /** Ends any helper process the source keeps. */
  close?(): void;
}

/** Top `n` by CPU plus top `n` by RSS, deduplicated, hottest CPU first. */
export function topProcesses(all: readonly ProcessSample[], n: number): ProcessSample[] {
  const byCpu = [...all].sort((a, b) => b.cpu_pct - a.cpu_pct).slice(0, n);
  const byRss = [...all].sort((a, b) => b.rss_bytes - a.rss_bytes).slice(0, n);
  const seen = new Set<number>();
  const out: ProcessSample[] = [];
  for (const p of [...byCpu, ...byRss]) {
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    out.push(p);
  }
  return out;
}
