/** Live performance streaming (`agents.<pc>.perf.live` request/reply, SPEC §2/§6). */
import * as z from "zod";
import type { FleetPerfSort } from "./api.js";
import type { HostPerf } from "./messages.js";

/** Backend → agent: stream host + process perf every `interval_ms` until `lease_ms` from now. */
export const perfLiveRequestSchema = z.object({
  interval_ms: z.number().int().min(250).max(60_000),
  lease_ms: z.number().int().min(1_000).max(300_000),
});
export type PerfLiveRequest = z.infer<typeof perfLiveRequestSchema>;

/** Agent → backend reply: when the (renewed) lease ends. */
export const perfLiveReplySchema = z.object({
  pc_id: z.string(),
  lease_until: z.iso.datetime({ offset: true }),
});
export type PerfLiveReply = z.infer<typeof perfLiveReplySchema>;

/** What the backend asks for by default: one frame a second, a lease it renews while someone watches. */
export const PERF_LIVE_DEFAULTS = { interval_ms: 1_000, lease_ms: 15_000 } as const;

/** Processes listed in each ProcessPerf frame (top N by CPU plus top N by RSS, deduplicated). */
export const PERF_TOP_N = 10;

/** WebSocket subprotocol prefix browsers use to present a bearer token: `bearer.<token>`. */
export const WS_BEARER_PROTOCOL_PREFIX = "bearer.";

/** The number each fleet sort orders by (descending): CPU %, memory used share, disk and network bytes/s. */
export const fleetSortValue: Record<FleetPerfSort, (s: HostPerf) => number> = {
  cpu: (s) => s.cpu_pct,
  mem: (s) => (s.mem_total_bytes > 0 ? s.mem_used_bytes / s.mem_total_bytes : 0),
  disk: (s) => s.disk_read_bytes_per_sec + s.disk_write_bytes_per_sec,
  net: (s) => s.net_rx_bytes_per_sec + s.net_tx_bytes_per_sec,
};

/** Hottest first by `sort`; ties by pc_id so the order is stable. */
export function sortFleet(items: Iterable<HostPerf>, sort: FleetPerfSort): HostPerf[] {
  const key = fleetSortValue[sort];
  return [...items].sort((a, b) => key(b) - key(a) || a.pc_id.localeCompare(b.pc_id));
}
