/** The `sso_accounts` and `sso_sessions` tables (migration oidc-sso-accounts-sessions). */
import type { SqlDatabase } from "../../db/database.js";

export interface SsoSessionRow {
  session_id: string;
  account_id: string;
  refresh_token: string | null;
  checked_at: string;
}

export interface SsoStore {
  /** The account the provider's (issuer, subject) signed in as before. */
  accountFor(issuer: string, subject: string): Promise<string | undefined>;
  /** The provider's subject of an SSO account. */
  subjectOf(accountId: string, issuer: string): Promise<string | undefined>;
  /** True when the account was made by single sign-on. */
  isSso(accountId: string): Promise<boolean>;
  /** Every SSO account id, for marking them in account lists. */
  ssoAccountIds(): Promise<Set<string>>;
  link(accountId: string, issuer: string, subject: string): Promise<void>;
  insertSession(row: SsoSessionRow): Promise<void>;
  session(sessionId: string): Promise<SsoSessionRow | undefined>;
  /** Records a successful check with the provider (and its rotated refresh token, when it sent one). */
  checked(sessionId: string, at: string, refreshToken: string | null): Promise<void>;
  endSession(sessionId: string): Promise<void>;
  /** Deletes the rows whose kanade session has ended; returns how many. */
  prune(): Promise<number>;
}

export function openSsoStore(db: SqlDatabase): SsoStore {
  const st = {
    // Joined with accounts: the link of a deleted account counts for nothing (and is replaced at the next sign-in).
    accountFor: db.prepare(`SELECT s.account_id FROM sso_accounts s JOIN accounts a ON a.account_id = s.account_id WHERE s.issuer = ? AND s.subject = ?`).pluck(),
    subjectOf: db.prepare(`SELECT subject FROM sso_accounts WHERE account_id = ? AND issuer = ?`).pluck(),
    isSso: db.prepare(`SELECT 1 FROM sso_accounts WHERE account_id = ?`).pluck(),
    all: db.prepare(`SELECT account_id FROM sso_accounts`).pluck(),
    link: db.prepare(`INSERT OR REPLACE INTO sso_accounts (account_id, issuer, subject) VALUES (?, ?, ?)`),
    insertSession: db.prepare(
      `INSERT INTO sso_sessions (session_id, account_id, refresh_token, checked_at) VALUES (@session_id, @account_id, @refresh_token, @checked_at)`,
    ),
    session: db.prepare(`SELECT * FROM sso_sessions WHERE session_id = ?`),
    checked: db.prepare(`UPDATE sso_sessions SET checked_at = ?, refresh_token = COALESCE(?, refresh_token) WHERE session_id = ?`),
    endSession: db.prepare(`DELETE FROM sso_sessions WHERE session_id = ?`),
    prune: db.prepare(`DELETE FROM sso_sessions WHERE session_id NOT IN (SELECT session_id FROM sessions)`),
  };
  return {
    accountFor: async (issuer, subject) => (st.accountFor.get(issuer, subject) as string | undefined) ?? undefined,
    subjectOf: async (accountId, issuer) => (st.subjectOf.get(accountId, issuer) as string | undefined) ?? undefined,
    isSso: async (accountId) => st.isSso.get(accountId) !== undefined,
    ssoAccountIds: async () => new Set(st.all.all() as string[]),
    link: async (accountId, issuer, subject) => void st.link.run(accountId, issuer, subject),
    insertSession: async (row) => void st.insertSession.run({ ...row }),
    session: async (sessionId) => st.session.get(sessionId) as SsoSessionRow | undefined,
    checked: async (sessionId, at, refreshToken) => void st.checked.run(at, refreshToken, sessionId),
    endSession: async (sessionId) => void st.endSession.run(sessionId),
    prune: async () => st.prune.run().changes,
  };
}
