/** What governance routes share: the account store, the audit log, session tokens, login throttles. */
import type { AuditLogStore } from "../audit/log-store.js";
import type { AccountStore } from "./account-store.js";
import { hashPassword } from "./accounts.js";
import type { LinkStore } from "./link-store.js";
import type { Mailer } from "./mailer.js";
import { createResetThrottle, type ResetThrottle } from "./password-reset.js";
import { createLoginThrottle, type LoginThrottle } from "./rate-limit.js";
import type { SessionTokens } from "./sessions.js";
import type { TotpStore } from "./totp-store.js";

export const DEFAULT_APPROVAL_TTL_MS = 24 * 3_600_000;
export const DEFAULT_SESSION_TTL_MS = 3_600_000;

export interface GovernanceDeps {
  accounts: AccountStore;
  /** The projected audit trail that `GET /api/audit` reads. */
  auditLog: AuditLogStore;
  /** Login sessions: rows in `sessions` and the signed tokens that name them. */
  tokens: SessionTokens;
  /** Password checks: backoff per (username, source address), budget per address. */
  loginThrottle: LoginThrottle;
  /** Verified against when a username does not exist, so response time does not reveal which names exist. */
  dummyHash: () => Promise<string>;
  /** TOTP secrets, recovery codes, sign-in challenges and the per-role requirement. */
  totp: TotpStore;
  /** The issuer name in otpauth:// URIs. */
  totpIssuer: string;
  /** Invitation and password-reset links (hashed tokens). */
  links: LinkStore;
  /** Outgoing mail; undefined when the backend has no SMTP settings. */
  mailer: Mailer | undefined;
  /** Password-reset requests per address and per account. */
  resetThrottle: ResetThrottle;
}

export function createGovernanceDeps(opts: Pick<GovernanceDeps, "accounts" | "auditLog" | "tokens" | "totp" | "totpIssuer" | "links" | "mailer">): GovernanceDeps {
  let dummy: Promise<string> | undefined;
  return {
    ...opts,
    loginThrottle: createLoginThrottle(),
    resetThrottle: createResetThrottle(),
    dummyHash: () => (dummy ??= hashPassword("kanade-no-such-user")),
  };
}
