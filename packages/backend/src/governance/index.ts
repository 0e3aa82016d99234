/** Governance wiring: accounts and login, approvals, the audit log API, JetStream status and metrics. */
import type { FastifyInstance } from "fastify";
import { accountRoutes } from "../api/accounts.js";
import { approvalRoutes } from "../api/approvals.js";
import { auditRoutes } from "../api/audit.js";
import { authRoutes } from "../api/auth.js";
import { jetstreamRoutes } from "../api/jetstream.js";
import type { GovernanceStore } from "../db/governance.js";
import type { RouteDeps } from "../deps.js";
import { registerMetrics } from "../metrics.js";
import { hashPassword } from "./accounts.js";
import { createLoginThrottle, type LoginThrottle } from "./rate-limit.js";
import type { SessionTokens } from "./sessions.js";

export const DEFAULT_APPROVAL_TTL_MS = 24 * 3_600_000;
export const DEFAULT_SESSION_TTL_MS = 3_600_000;

export interface GovernanceDeps {
  store: GovernanceStore;
  /** Login sessions: rows in `sessions` and the signed tokens that name them. */
  tokens: SessionTokens;
  approvalTtlMs: number;
  /** Password checks: backoff per (username, source address), budget per address. */
  loginThrottle: LoginThrottle;
  /** Verified against when a username does not exist, so response time does not reveal which names exist. */
  dummyHash: () => Promise<string>;
}

export function createGovernanceDeps(opts: { store: GovernanceStore; tokens: SessionTokens; approvalTtlMs?: number }): GovernanceDeps {
  let dummy: Promise<string> | undefined;
  return {
    store: opts.store,
    tokens: opts.tokens,
    approvalTtlMs: opts.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS,
    loginThrottle: createLoginThrottle(),
    dummyHash: () => (dummy ??= hashPassword("kanade-no-such-user")),
  };
}

/** Registers governance routes and the metrics hooks; call before other routes so metrics see them all. */
export function registerGovernance(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  registerMetrics(app, deps, gov);
  authRoutes(app, deps, gov);
  accountRoutes(app, deps, gov);
  approvalRoutes(app, deps, gov);
  auditRoutes(app, gov);
  jetstreamRoutes(app, deps);
}
