/**
 * `GET /api/health/fleet` (issue 17 §5): one answer a load balancer or a monitor can act on — 200 when the
 * backend can do its work, 503 with the reasons when it cannot (broker, database, projector lag, stale agents).
 */
import * as z from "zod";
import { boundedDuration } from "./duration.js";

export const DEFAULT_MAX_PROJECTOR_LAG = 10_000;
export const DEFAULT_STALE_AFTER = "1h";
export const DEFAULT_MAX_STALE_SHARE = 0.5;

/** The probe's thresholds travel in its URL, so each monitor asks its own question. */
export const fleetHealthQuery = z.object({
  /** A projector further behind than this many messages is unhealthy. */
  max_lag: z.coerce.number<number>().int().min(0).default(DEFAULT_MAX_PROJECTOR_LAG),
  /** An agent not heard from for this long is stale. */
  stale_after: boundedDuration("15m, 1h, 1d").default(DEFAULT_STALE_AFTER),
  /** Unhealthy when more than this share of known agents is stale (0-1; 1 never fails on agents). */
  max_stale_share: z.coerce.number<number>().min(0).max(1).default(DEFAULT_MAX_STALE_SHARE),
});

const check = z.object({ ok: z.boolean(), detail: z.string() });
export const fleetHealthSchema = z.object({
  status: z.enum(["ok", "unhealthy"]),
  /** One line per failed check; empty when healthy. */
  reasons: z.array(z.string()),
  checks: z.object({
    broker: check,
    database: check,
    projectors: check.extend({ lag: z.array(z.object({ projector: z.string(), pending: z.number().int().nullable() })) }),
    agents: check.extend({ total: z.number().int(), stale: z.number().int(), stale_after: z.string() }),
  }),
});
export type FleetHealth = z.infer<typeof fleetHealthSchema>;
