/** Live performance streaming (`agents.<pc>.perf.live` request/reply, SPEC §2/§6). */
import { z } from "zod";

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
