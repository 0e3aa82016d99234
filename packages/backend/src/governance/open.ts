/** Starts governance for a running backend: its stores, session tokens, bootstrap admin, audit projector. */
import { join } from "node:path";
import type { Logger } from "pino";
import { openAuditLogStore } from "../audit/log-store.js";
import { stateDir, type BackendConfig } from "../config.js";
import type { SqlDatabase } from "../db/database.js";
import type { Nats } from "../nats.js";
import { startAuditProjector } from "../projector/audit.js";
import { openAccountStore } from "./account-store.js";
import { openLinkStore } from "./link-store.js";
import { createMailer } from "./mailer.js";
import { ensureBootstrapAdmin } from "./accounts.js";
import { DEFAULT_SESSION_TTL_MS, createGovernanceDeps, type GovernanceDeps } from "./deps.js";
import { openSessionStore } from "./session-store.js";
import { createSessionTokens } from "./sessions.js";
import { createTokenIssuer, loadJwtSecret } from "./tokens.js";
import { openTotpStore } from "./totp-store.js";

export interface RunningGovernance {
  deps: GovernanceDeps;
  stop(): Promise<void>;
}

export async function openGovernance(opts: { nats: Nats; db: SqlDatabase; config: BackendConfig; log: Logger }): Promise<RunningGovernance> {
  const { config, log } = opts;
  const accounts = openAccountStore(opts.db);
  const auditLog = openAuditLogStore(opts.db);
  const dir = stateDir(config);
  const secretPath = dir === undefined ? undefined : join(dir, "kanade-jwt.secret");
  const tokens = createSessionTokens({
    issuer: createTokenIssuer(loadJwtSecret(config.jwtSecret, secretPath)),
    sessions: openSessionStore(opts.db),
    ttlMs: config.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    clock: () => new Date(),
  });
  const mailer = config.smtp ? createMailer(config.smtp) : undefined;
  const links = openLinkStore(opts.db);
  const deps = createGovernanceDeps({ accounts, auditLog, tokens, totp: openTotpStore(opts.db), totpIssuer: config.totpIssuer ?? "kanade", links, mailer });
  await ensureBootstrapAdmin(accounts, config.bootstrapAdmin, new Date(), log);
  const projector = await startAuditProjector({ nats: opts.nats, store: auditLog, log });
  return {
    deps,
    stop: async () => {
      mailer?.close();
      await projector.stop();
    },
  };
}
