/** What governance routes share: the account store, session tokens, login throttles. */
import type { GovernanceStore } from "../db/governance.js";
import { hashPassword } from "./accounts.js";
import { createLoginThrottle, type LoginThrottle } from "./rate-limit.js";
import type { SessionTokens } from "./sessions.js";

export const DEFAULT_APPROVAL_TTL_MS = 24 * 3_600_000;
export const DEFAULT_SESSION_TTL_MS = 3_600_000;

export interface GovernanceDeps {
  store: GovernanceStore;
  /** Login sessions: rows in `sessions` and the signed tokens that name them. */
  tokens: SessionTokens;
  /** Password checks: backoff per (username, source address), budget per address. */
  loginThrottle: LoginThrottle;
  /** Verified against when a username does not exist, so response time does not reveal which names exist. */
  dummyHash: () => Promise<string>;
}

export function createGovernanceDeps(opts: { store: GovernanceStore; tokens: SessionTokens }): GovernanceDeps {
  let dummy: Promise<string> | undefined;
  return {
    store: opts.store,
    tokens: opts.tokens,
    loginThrottle: createLoginThrottle(),
    dummyHash: () => (dummy ??= hashPassword("kanade-no-such-user")),
  };
}
