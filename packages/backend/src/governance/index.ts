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
import { createRateLimiter, type RateLimiter } from "./rate-limit.js";
import type { TokenIssuer } from "./tokens.js";

export const DEFAULT_APPROVAL_TTL_MS = 24 * 3_600_000;
export const DEFAULT_SESSION_TTL_MS = 3_600_000;

export interface GovernanceDeps {
  store: GovernanceStore;
  tokens: TokenIssuer;
  approvalTtlMs: number;
  /** Failed logins per username and per source IP. */
  loginLimits: { user: RateLimiter; ip: RateLimiter };
  /** Verified against when a username does not exist, so response time does not reveal which names exist. */
  dummyHash: () => Promise<string>;
}

export function createGovernanceDeps(opts: { store: GovernanceStore; tokens: TokenIssuer; approvalTtlMs?: number }): GovernanceDeps {
  let dummy: Promise<string> | undefined;
  return {
    store: opts.store,
    tokens: opts.tokens,
    approvalTtlMs: opts.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS,
    loginLimits: {
      user: createRateLimiter({ max: 5, windowMs: 5 * 60_000 }),
      ip: createRateLimiter({ max: 20, windowMs: 5 * 60_000 }),
    },
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
