/** Starts governance for a running backend: its store, session tokens, bootstrap admin, audit projector, approval expiry. */
import { join, dirname, resolve } from "node:path";
import type { Logger } from "pino";
import { sqlitePath, type BackendConfig } from "../config.js";
import { openGovernanceStore } from "../db/governance.js";
import { openSessionStore } from "../db/sessions.js";
import type { SqliteStore } from "../db/sqlite.js";
import { startApprovalExpiry } from "../exec/approval.js";
import type { Nats } from "../nats.js";
import { startAuditProjector } from "../projector/audit.js";
import { ensureBootstrapAdmin } from "./accounts.js";
import { DEFAULT_SESSION_TTL_MS, createGovernanceDeps, type GovernanceDeps } from "./index.js";
import { createSessionTokens } from "./sessions.js";
import { createTokenIssuer, loadJwtSecret } from "./tokens.js";

/** The sweep runs this often at most; shorter approval lifetimes sweep proportionally faster. */
const EXPIRY_SWEEP_MS = 60_000;

export interface RunningGovernance {
  deps: GovernanceDeps;
  stop(): Promise<void>;
}

export async function openGovernance(opts: { nats: Nats; store: SqliteStore; config: BackendConfig; log: Logger }): Promise<RunningGovernance> {
  const { config, log } = opts;
  const store = openGovernanceStore(opts.store.db);
  const dbFile = sqlitePath(config.databaseUrl);
  const secretPath = dbFile === ":memory:" ? undefined : join(dirname(resolve(dbFile)), "kanade-jwt.secret");
  const tokens = createSessionTokens({
    issuer: createTokenIssuer(loadJwtSecret(config.jwtSecret, secretPath)),
    sessions: openSessionStore(opts.store.db),
    ttlMs: config.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    clock: () => new Date(),
  });
  const deps = createGovernanceDeps({ store, tokens, ...(config.approvalTtlMs ? { approvalTtlMs: config.approvalTtlMs } : {}) });
  await ensureBootstrapAdmin(store, config.bootstrapAdmin, new Date(), log);
  const projector = await startAuditProjector({ nats: opts.nats, store, log });
  const stopExpiry = startApprovalExpiry({ governance: deps, clock: () => new Date(), log }, Math.min(EXPIRY_SWEEP_MS, Math.max(1_000, deps.approvalTtlMs / 2)));
  return {
    deps,
    stop: async () => {
      stopExpiry();
      await projector.stop();
    },
  };
}
