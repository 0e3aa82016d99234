/** What governance routes share: the account store, session tokens, login throttles. */
import type { GovernanceStore } from "../db/governance.js";
import { hashPassword } from "./accounts.js";
import { createRateLimiter, type RateLimiter } from "./rate-limit.js";
import type { TokenIssuer } from "./tokens.js";

export const DEFAULT_APPROVAL_TTL_MS = 24 * 3_600_000;
export const DEFAULT_SESSION_TTL_MS = 3_600_000;

export interface GovernanceDeps {
  store: GovernanceStore;
  tokens: TokenIssuer;
  /** Failed logins per username and per source IP. */
  loginLimits: { user: RateLimiter; ip: RateLimiter };
  /** Verified against when a username does not exist, so response time does not reveal which names exist. */
  dummyHash: () => Promise<string>;
}

export function createGovernanceDeps(opts: { store: GovernanceStore; tokens: TokenIssuer }): GovernanceDeps {
  let dummy: Promise<string> | undefined;
  return {
    store: opts.store,
    tokens: opts.tokens,
    loginLimits: {
      user: createRateLimiter({ max: 5, windowMs: 5 * 60_000 }),
      ip: createRateLimiter({ max: 20, windowMs: 5 * 60_000 }),
    },
    dummyHash: () => (dummy ??= hashPassword("kanade-no-such-user")),
  };
}
