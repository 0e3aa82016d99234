/** Wires everything together: NATS → bootstrap → DB → projectors → HTTP. `close()` undoes it in reverse. */
import { pino, type Logger } from "pino";
import { openAgentGroups } from "./agent-groups.js";
import { buildApp } from "./app.js";
import { bootstrap } from "./bootstrap.js";
import { checkStaticToken, sqlitePath, type BackendConfig } from "./config.js";
import { openFleetStore } from "./db/fleet-store.js";
import { openSqliteStore, type SqliteStore } from "./db/sqlite.js";
import { defaultWebRoot } from "./default-web-root.js";
import { createJobFactsProjector } from "./inventory/job-facts.js";
import { openCatalog } from "./jobs/catalog.js";
import { connectNats } from "./nats.js";
import { startPerfService } from "./perf/perf-service.js";
import type { RunningProjector } from "./projector/durable.js";
import { startHeartbeatProjector } from "./projector/heartbeats.js";
import { startInventoryProjector } from "./projector/inventory.js";
import { startResultsProjector } from "./projector/results.js";
import { rebuildFromStreams, rebuildReason } from "./projector/rebuild.js";
import { startStartedProjector } from "./projector/started.js";
import { openGovernance } from "./governance/open.js";
import type { RouteEntry } from "./governance/policy.js";

export interface RunningBackend {
  readonly url: string;
  readonly port: number;
  /** Every registered route (method + pattern), e.g. for the role-matrix test. */
  readonly routes: readonly RouteEntry[];
  close(): Promise<void>;
}

export function openStore(databaseUrl: string): SqliteStore {
  return openSqliteStore(sqlitePath(databaseUrl));
}

/** Connects NATS (waiting for the broker, reconnecting forever), bootstraps, opens the DB, projects, listens. */
export async function startBackend(config: BackendConfig, deps: { log?: Logger } = {}): Promise<RunningBackend> {
  const log = deps.log ?? pino({ name: "kanade-backend", level: config.logLevel });
  // Before anything starts: a config handed over directly has not been through loadBackendConfig.
  checkStaticToken(config.staticToken, config.authDisabled);
  // Undo steps run in reverse if a later step fails, so a half-started backend leaves nothing behind.
  const undo: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      await step().catch((err: unknown) => log.warn({ err }, "error while shutting down"));
    }
    undo.length = 0;
  };
  try {
    log.info({ nats_url: config.natsUrl }, "connecting to NATS");
    const nats = await connectNats({
      url: config.natsUrl,
      ...(config.natsToken ? { token: config.natsToken } : {}),
      log,
    });
    undo.push(() => nats.nc.drain());
    await bootstrap(nats, log, config.execMaxAgeMs !== undefined ? { execMaxAgeMs: config.execMaxAgeMs } : {});
    const store = openStore(config.databaseUrl);
    undo.push(() => store.close());
    const catalog = await openCatalog(nats, log);
    const groups = await openAgentGroups(nats, log);
    undo.push(() => groups.stop());
    const rebuild = await rebuildReason({ nats, store, log }, config.rebuild === true);
    if (rebuild) await rebuildFromStreams({ nats, store, log }, rebuild);
    const governance = await openGovernance({ nats, store, config, log });
    undo.push(() => governance.stop());
    const fleet = openFleetStore(store.db);
    const jobFacts = createJobFactsProjector({ catalog, fleet, log });
    const projectors: RunningProjector[] = [
      await startResultsProjector({ nats, store, log, beforeInsert: (rs) => jobFacts.project(rs) }),
      await startInventoryProjector({ nats, fleet, log }),
      await startStartedProjector({ nats, store, log }),
      startHeartbeatProjector({ nats, store, log }),
    ];
    undo.push(() => Promise.all(projectors.map((p) => p.stop())));
    const webRoot = config.webRoot ?? defaultWebRoot();
    const perf = startPerfService({ nats, db: store.db, log, retentionMs: config.perfRetentionMs, liveLeaseMs: config.perfLiveLeaseMs });
    undo.push(async () => perf.stop());
    const app = await buildApp({
      nats,
      store,
      catalog,
      groups,
      fleet,
      perf,
      log,
      governance: governance.deps,
      config: {
        authDisabled: config.authDisabled,
        ...(config.staticToken ? { staticToken: config.staticToken } : {}),
        ...(webRoot ? { webRoot } : {}),
      },
    });
    undo.push(() => app.close());
    await app.listen({ host: config.bindHost, port: config.bindPort });
    const addr = app.server.address();
    const port = typeof addr === "object" && addr ? addr.port : config.bindPort;
    const host = config.bindHost.includes(":") ? `[${config.bindHost}]` : config.bindHost;
    const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
    log.info({ url, auth: config.authDisabled ? "disabled" : "static-token" }, "kanade-backend listening");
    let closing: Promise<void> | undefined;
    return { url, port, routes: app.kanadeRoutes, close: () => (closing ??= closeAll()) };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

