/** The `sso_accounts` and `sso_sessions` tables (migration oidc-sso-accounts-sessions). */
import type { SqlDatabase } from "../../db/database.js";

export interface SsoSessionRow {
  session_id: string;
  account_id: string;
  refresh_token: string | null;
  checked_at: string;
}

export interface PendingRow {
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  challenge: string | null;
  expires_at: string;
}

export interface HandoffRow {
  code_hash: string;
  /** The LoginResponse as JSON. */
  answer: string;
  challenge: string | null;
  expires_at: string;
}

export interface SsoStore {
  /** Keeps a sign-in that went to the provider; also deletes expired ones. */
  addPending(row: PendingRow, now: string): Promise<void>;
  /** Takes (reads and deletes) the sign-in a state names: it works once, on whichever backend. */
  takePending(state: string): Promise<PendingRow | undefined>;
  addHandoff(row: HandoffRow, now: string): Promise<void>;
  handoff(codeHash: string): Promise<HandoffRow | undefined>;
  /** True when this call used the code up (false: another took it first). */
  useHandoff(codeHash: string): Promise<boolean>;
  /**
   * Claims the re-check of a session: moves `checked_at` from the value read to `at` only if nobody else
   * has moved it meanwhile, so two backends never spend one (rotating) refresh token twice.
   */
  claimCheck(sessionId: string, readCheckedAt: string, at: string): Promise<boolean>;
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
    prunePending: db.prepare(`DELETE FROM sso_pending WHERE expires_at <= ?`),
    addPending: db.prepare(
      `INSERT INTO sso_pending (state, nonce, code_verifier, return_to, challenge, expires_at) VALUES (@state, @nonce, @code_verifier, @return_to, @challenge, @expires_at)`,
    ),
    takePending: db.prepare(`DELETE FROM sso_pending WHERE state = ? RETURNING *`),
    pruneHandoffs: db.prepare(`DELETE FROM sso_handoffs WHERE expires_at <= ?`),
    addHandoff: db.prepare(`INSERT INTO sso_handoffs (code_hash, answer, challenge, expires_at) VALUES (@code_hash, @answer, @challenge, @expires_at)`),
    handoff: db.prepare(`SELECT * FROM sso_handoffs WHERE code_hash = ?`),
    useHandoff: db.prepare(`DELETE FROM sso_handoffs WHERE code_hash = ?`),
    claimCheck: db.prepare(`UPDATE sso_sessions SET checked_at = ? WHERE session_id = ? AND checked_at = ?`),
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
    addPending: async (row, now) => {
      st.prunePending.run(now);
      st.addPending.run({ ...row });
    },
    takePending: async (state) => st.takePending.get(state) as PendingRow | undefined,
    addHandoff: async (row, now) => {
      st.pruneHandoffs.run(now);
      st.addHandoff.run({ ...row });
    },
    handoff: async (codeHash) => st.handoff.get(codeHash) as HandoffRow | undefined,
    useHandoff: async (codeHash) => st.useHandoff.run(codeHash).changes === 1,
    claimCheck: async (sessionId, readCheckedAt, at) => st.claimCheck.run(at, sessionId, readCheckedAt).changes === 1,
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
