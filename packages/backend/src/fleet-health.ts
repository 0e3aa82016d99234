/**
 * `GET /api/health/fleet`: whether this backend can do its work now, and why not. Each check is cheap — one
 * connection flag, one query, one consumer info per projector, one pass over the agents table.
 */
import { parseDurationMs, type FleetHealth } from "@kanade/protocol";
import type { AgentsStore } from "./agents/store.js";
import type { Nats } from "./nats.js";
import { projectorLag } from "./projector/lag.js";

export interface FleetHealthDeps {
  nats: Nats;
  agents: Pick<AgentsStore, "countStale">;
  clock: () => Date;
}

export interface FleetHealthLimits {
  max_lag: number;
  stale_after: string;
  max_stale_share: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function fleetHealth(deps: FleetHealthDeps, limits: FleetHealthLimits): Promise<FleetHealth> {
  const connected = deps.nats.isConnected();
  const broker = { ok: connected, detail: connected ? "connected" : "the NATS broker cannot be reached" };

  const staleMs = parseDurationMs(limits.stale_after) ?? 0;
  // A count, not the rows: a load balancer probes this every few seconds, and reading 50,000 agents holds the
  // backend for half a second.
  let counts = { total: 0, stale: 0 };
  let database = { ok: true, detail: "ok" };
  try {
    counts = await deps.agents.countStale(new Date(deps.clock().getTime() - staleMs).toISOString());
  } catch (err) {
    database = { ok: false, detail: `the database does not answer: ${errorText(err)}` };
  }

  const lag = connected ? await projectorLag(deps.nats) : [];
  const behind = lag.filter((l) => l.pending !== null && l.pending > limits.max_lag);
  const projectors = {
    ok: behind.length === 0,
    detail: !connected
      ? "unknown while the broker is away"
      : behind.length === 0
        ? `every projector within ${limits.max_lag} messages`
        : behind.map((l) => `${l.projector} is ${l.pending} messages behind (limit ${limits.max_lag})`).join("; "),
    lag,
  };

  const { total, stale } = counts;
  const share = total === 0 ? 0 : stale / total;
  const agentsOk = !database.ok || share <= limits.max_stale_share;
  const agentCheck = {
    ok: agentsOk,
    detail: `${stale} of ${total} agents not heard from for ${limits.stale_after}` + (agentsOk ? "" : ` (more than ${Math.round(limits.max_stale_share * 100)}%)`),
    total,
    stale,
    stale_after: limits.stale_after,
  };

  const checks = { broker, database, projectors, agents: agentCheck };
  const reasons = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name, c]) => `${name}: ${c.detail}`);
  return { status: reasons.length === 0 ? "ok" : "unhealthy", reasons, checks };
}
