/** Account passwords (argon2id), reserved names, the bootstrap admin, and session-token → identity resolution. */
import { KanadeError, type Identity, type Role } from "@kanade/protocol";
import type { Logger } from "pino";
import type { SessionResolver } from "../auth.js";
import type { AccountRecord, AccountStore } from "./account-store.js";
import type { SessionRow } from "./session-store.js";
import type { SessionTokens } from "./sessions.js";
import type { TotpStore } from "./totp-store.js";
import { needsTotpEnrollment } from "./two-factor.js";

import { hashPassword } from "./password-hash.js";

export { hashPassword, passwordMatches } from "./password-hash.js";

/**
 * Actor names the backend writes itself (auth.ts, the approval expiry): an account with one of them
 * would be indistinguishable from the system in the audit trail and in approvals.
 */
export const RESERVED_USERNAMES: readonly string[] = ["static-token", "anonymous", "system"];

/** Throws 400 naming `username` when the name is reserved (in any case). */
export function refuseReservedUsername(username: string): void {
  if (!RESERVED_USERNAMES.includes(username.toLowerCase())) return;
  const message = `"${username}" is reserved for the system (${RESERVED_USERNAMES.join(", ")}); choose another username`;
  throw new KanadeError("BAD_REQUEST", message, { details: [{ path: "username", message }] });
}

/** Creates the first admin on a database without accounts; it must change its password at first login. */
export async function ensureBootstrapAdmin(
  accounts: AccountStore,
  admin: { username: string; password: string } | undefined,
  now: Date,
  log: Logger,
): Promise<boolean> {
  if (!admin || (await accounts.countAccounts()) > 0) return false;
  refuseReservedUsername(admin.username);
  const created = await accounts.createAccount(
    { username: admin.username, password_hash: await hashPassword(admin.password), role: "admin", must_change_password: true },
    now.toISOString(),
  );
  if (created) log.warn({ username: admin.username }, "bootstrap admin created; it must change its password at first login");
  return created;
}

export const identityOf = (a: AccountRecord): Identity => ({
  actor: a.username,
  role: a.role as Role,
  kind: "account",
  must_change_password: a.must_change_password,
});

/**
 * Accepts a session token while its session is live and belongs to the account as it is now: the same
 * immutable account id (a deleted and re-created name is a different account) and not disabled.
 */
export function sessionResolver(accounts: AccountStore, tokens: SessionTokens, totp: TotpStore, ssoUsable?: (sessionId: string) => Promise<boolean>): SessionResolver {
  const accountFor = async (accountId: string): Promise<AccountRecord | undefined> => {
    const a = await accounts.getAccountById(accountId);
    return a && !a.disabled ? a : undefined;
  };
  /** The session is live and its account may still act. */
  const usable = async (session: SessionRow | undefined): Promise<boolean> =>
    session !== undefined && (await accountFor(session.account_id)) !== undefined;
  /** A session opened by single sign-on also needs the provider's word, asked again every refresh interval. */
  const providerAgrees = (sessionId: string): Promise<boolean> => (ssoUsable ? ssoUsable(sessionId) : Promise.resolve(true));
  return {
    mayBeLive: async (token) => usable(await tokens.peek(token)),
    resolve: async (token) => {
      const found = await tokens.verify(token);
      const first = found ? await accountFor(found.session.account_id) : undefined;
      if (!found || !first || first.username !== found.claims.username) return undefined;
      const id = found.session.session_id;
      if (!(await providerAgrees(id))) return undefined;
      // Read again: the provider's answer may have changed the role.
      const account = await accountFor(found.session.account_id);
      if (!account) return undefined;
      const alive = async (): Promise<boolean> => (await usable(await tokens.live(id))) && (await providerAgrees(id));
      return { identity: identityOf(account), session: { id, alive }, totpEnrollmentRequired: await needsTotpEnrollment(totp, account) };
    },
  };
}
