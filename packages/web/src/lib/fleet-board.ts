/** The fleet performance board: the latest sample per PC, hottest first by the chosen metric. */
import type { FleetPerfSort, HostPerf } from "@kanade/protocol";

export function metric(s: HostPerf, sort: FleetPerfSort): number {
  switch (sort) {
    case "cpu":
      return s.cpu_pct;
    case "mem":
      return s.mem_total_bytes > 0 ? s.mem_used_bytes / s.mem_total_bytes : 0;
    case "disk":
      return s.disk_read_bytes_per_sec + s.disk_write_bytes_per_sec;
    case "net":
      return s.net_rx_bytes_per_sec + s.net_tx_bytes_per_sec;
  }
}

/** Keeps each PC's newest sample (older frames arriving late never win). */
export function mergeLatest(board: ReadonlyMap<string, HostPerf>, samples: readonly HostPerf[]): Map<string, HostPerf> {
  const next = new Map(board);
  for (const s of samples) {
    const cur = next.get(s.pc_id);
    if (!cur || Date.parse(s.at) >= Date.parse(cur.at)) next.set(s.pc_id, s);
  }
  return next;
}

export function hottest(board: ReadonlyMap<string, HostPerf>, sort: FleetPerfSort, limit = 50): HostPerf[] {
  return [...board.values()].sort((a, b) => metric(b, sort) - metric(a, sort) || a.pc_id.localeCompare(b.pc_id)).slice(0, limit);
}

/**
 * The board split into rows that describe PCs now and stale ones (offline PC, or an old sample), each hottest
 * first. A PC offline for two minutes must not top the list at the 99 % it last reported.
 */
export function liveAndStale(
  board: ReadonlyMap<string, HostPerf>,
  sort: FleetPerfSort,
  isLive: (s: HostPerf) => boolean,
  limit = 100,
): { live: HostPerf[]; stale: HostPerf[] } {
  const all = hottest(board, sort, Number.MAX_SAFE_INTEGER);
  return { live: all.filter(isLive).slice(0, limit), stale: all.filter((s) => !isLive(s)).slice(0, limit) };
}
