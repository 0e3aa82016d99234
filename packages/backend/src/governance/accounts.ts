/** Account passwords (argon2id), reserved names, the bootstrap admin, and session-token → identity resolution. */
import { hash, verify } from "@node-rs/argon2";
import { KanadeError, type Identity, type Role } from "@kanade/protocol";
import type { Logger } from "pino";
import type { SessionResolver } from "../auth.js";
import type { AccountRecord, GovernanceStore } from "../db/governance.js";
import type { SessionTokens } from "./sessions.js";

/** @node-rs/argon2 defaults to argon2id (m=19 MiB, t=2, p=1), the OWASP baseline. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function passwordMatches(stored: string, presented: string): Promise<boolean> {
  return verify(stored, presented);
}

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
  store: GovernanceStore,
  admin: { username: string; password: string } | undefined,
  now: Date,
  log: Logger,
): Promise<boolean> {
  if (!admin || store.accountCount() > 0) return false;
  refuseReservedUsername(admin.username);
  const created = store.createAccount(
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
export function sessionResolver(store: GovernanceStore, tokens: SessionTokens): SessionResolver {
  const accountFor = (accountId: string): AccountRecord | undefined => {
    const a = store.getAccountById(accountId);
    return a && !a.disabled ? a : undefined;
  };
  return {
    mayBeLive: (token) => {
      const session = tokens.peek(token);
      return session !== undefined && accountFor(session.account_id) !== undefined;
    },
    resolve: async (token) => {
      const found = await tokens.verify(token);
      const account = found ? accountFor(found.session.account_id) : undefined;
      if (!found || !account || account.username !== found.claims.username) return undefined;
      const id = found.session.session_id;
      const alive = (): boolean => {
        const s = tokens.live(id);
        return s !== undefined && accountFor(s.account_id) !== undefined;
      };
      return { identity: identityOf(account), session: { id, alive } };
    },
  };
}
