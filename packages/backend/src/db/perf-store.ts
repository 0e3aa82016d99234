/** Host perf samples in SQLite (migration 004-perf): batched inserts, range reads, retention pruning. */
import type { SqlDatabase } from "./database.js";
import type { HostPerf } from "@kanade/protocol";

interface PerfRow {
  pc_id: string;
  at_ms: number;
  cpu_pct: number;
  cpu_count: number;
  mem_used_bytes: number;
  mem_total_bytes: number;
  disk_read_bytes_per_sec: number;
  disk_write_bytes_per_sec: number;
  net_rx_bytes_per_sec: number;
  net_tx_bytes_per_sec: number;
}

export interface PerfStore {
  /** Inserts samples in one transaction; a repeated (pc_id, at) replaces the earlier one. */
  insert(samples: readonly HostPerf[]): Promise<void>;
  /** One PC's samples at or after `sinceMs`, oldest first, at most `limit`. */
  since(pcId: string, sinceMs: number, limit: number): Promise<HostPerf[]>;
  /** The newest sample of every PC seen at or after `sinceMs` (seeds the in-memory fleet view). */
  latestPerPc(sinceMs: number): Promise<HostPerf[]>;
  /** Deletes samples older than `beforeMs`; returns how many went. */
  prune(beforeMs: number): Promise<number>;
}

const toSample = (r: PerfRow): HostPerf => ({
  pc_id: r.pc_id,
  at: new Date(r.at_ms).toISOString(),
  cpu_pct: r.cpu_pct,
  cpu_count: r.cpu_count,
  mem_used_bytes: r.mem_used_bytes,
  mem_total_bytes: r.mem_total_bytes,
  disk_read_bytes_per_sec: r.disk_read_bytes_per_sec,
  disk_write_bytes_per_sec: r.disk_write_bytes_per_sec,
  net_rx_bytes_per_sec: r.net_rx_bytes_per_sec,
  net_tx_bytes_per_sec: r.net_tx_bytes_per_sec,
});

export function openPerfStore(db: SqlDatabase): PerfStore {
  const st = {
    insert: db.prepare(
      `INSERT INTO host_perf (pc_id, at_ms, cpu_pct, cpu_count, mem_used_bytes, mem_total_bytes,
         disk_read_bytes_per_sec, disk_write_bytes_per_sec, net_rx_bytes_per_sec, net_tx_bytes_per_sec)
       VALUES (@pc_id, @at_ms, @cpu_pct, @cpu_count, @mem_used_bytes, @mem_total_bytes,
         @disk_read_bytes_per_sec, @disk_write_bytes_per_sec, @net_rx_bytes_per_sec, @net_tx_bytes_per_sec)
       ON CONFLICT (pc_id, at_ms) DO UPDATE SET cpu_pct = excluded.cpu_pct, cpu_count = excluded.cpu_count,
         mem_used_bytes = excluded.mem_used_bytes, mem_total_bytes = excluded.mem_total_bytes,
         disk_read_bytes_per_sec = excluded.disk_read_bytes_per_sec, disk_write_bytes_per_sec = excluded.disk_write_bytes_per_sec,
         net_rx_bytes_per_sec = excluded.net_rx_bytes_per_sec, net_tx_bytes_per_sec = excluded.net_tx_bytes_per_sec`,
    ),
    since: db.prepare(`SELECT * FROM host_perf WHERE pc_id = ? AND at_ms >= ? ORDER BY at_ms ASC LIMIT ?`),
    latest: db.prepare(
      `SELECT p.* FROM host_perf p
       JOIN (SELECT pc_id, MAX(at_ms) AS at_ms FROM host_perf WHERE at_ms >= ? GROUP BY pc_id) m
         ON m.pc_id = p.pc_id AND m.at_ms = p.at_ms`,
    ),
    prune: db.prepare(`DELETE FROM host_perf WHERE at_ms < ?`),
  };
  const insertAll = db.transaction((samples: readonly HostPerf[]) => {
    for (const s of samples) {
      const { at, ...rest } = s;
      st.insert.run({ ...rest, at_ms: Date.parse(at) });
    }
  });
  return {
    insert: async (samples) => {
      if (samples.length > 0) insertAll(samples);
    },
    since: async (pcId, sinceMs, limit) => (st.since.all(pcId, sinceMs, limit) as PerfRow[]).map(toSample),
    latestPerPc: async (sinceMs) => (st.latest.all(sinceMs) as PerfRow[]).map(toSample),
    prune: async (beforeMs) => st.prune.run(beforeMs).changes,
  };
}
