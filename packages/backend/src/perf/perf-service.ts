/** Host perf ingest + live sessions, started with the backend and stopped with it. */
import { PERF_LIVE_DEFAULTS } from "@kanade/protocol";
import type { Logger } from "pino";
import type { PerfStore } from "../db/perf-store.js";
import type { Nats } from "../nats.js";
import { PerfIngest } from "./perf-ingest.js";
import { PerfLiveSessions } from "./live-sessions.js";

export interface PerfService {
  readonly ingest: PerfIngest;
  readonly live: PerfLiveSessions;
  stop(): Promise<void>;
}

export const DEFAULT_PERF_RETENTION_MS = 7 * 86_400_000;

export async function startPerfService(deps: { nats: Nats; store: PerfStore; log: Logger; retentionMs?: number; liveLeaseMs?: number }): Promise<PerfService> {
  const ingest = new PerfIngest({
    nats: deps.nats,
    store: deps.store,
    log: deps.log,
    retentionMs: deps.retentionMs ?? DEFAULT_PERF_RETENTION_MS,
  });
  await ingest.seed();
  const live = new PerfLiveSessions({
    nats: deps.nats,
    ingest,
    log: deps.log,
    request: { interval_ms: PERF_LIVE_DEFAULTS.interval_ms, lease_ms: deps.liveLeaseMs ?? PERF_LIVE_DEFAULTS.lease_ms },
  });
  return {
    ingest,
    live,
    stop: async () => {
      live.stop();
      await ingest.stop();
    },
  };
}
