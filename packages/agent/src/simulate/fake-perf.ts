/** Cheap, deterministic HostPerf for simulated agents, so fleet views and benches have data to show. */
import type { HostPerf } from "@kanade/protocol/wire";

/** A small hash → [0, 1): the same (pc, tick) always gives the same value. */
function unit(text: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

const GIB = 1024 ** 3;

export function fakeHostPerf(pcId: string, tick: number, at: Date): HostPerf {
  // A per-PC baseline plus a per-tick wobble: some PCs run hot, most idle.
  const base = unit(pcId, 1);
  const wobble = unit(pcId, tick + 7);
  const memTotal = (4 + Math.floor(base * 4) * 4) * GIB;
  return {
    pc_id: pcId,
    at: at.toISOString(),
    cpu_pct: Math.round((base * base * 70 + wobble * 30) * 10) / 10,
    cpu_count: 4 + Math.floor(base * 3) * 4,
    mem_used_bytes: Math.round(memTotal * (0.3 + 0.5 * base + 0.1 * wobble)),
    mem_total_bytes: memTotal,
    disk_read_bytes_per_sec: Math.round(wobble * base * 50_000_000),
    disk_write_bytes_per_sec: Math.round(unit(pcId, tick + 11) * 10_000_000),
    net_rx_bytes_per_sec: Math.round(unit(pcId, tick + 13) * base * 20_000_000),
    net_tx_bytes_per_sec: Math.round(unit(pcId, tick + 17) * 2_000_000),
  };
}
