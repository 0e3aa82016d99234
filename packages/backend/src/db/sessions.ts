/** Server-side login sessions (migration 007-sessions): a token is good only while its row is here. */
import type { SqlDatabase } from "./database.js";

export interface SessionRow {
  session_id: string;
  /** The immutable id of the account, never its name: a re-created name does not inherit sessions. */
  account_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
}

export type SessionStore = ReturnType<typeof openSessionStore>;

export function openSessionStore(db: SqlDatabase) {
  const st = {
    insert: db.prepare(
      `INSERT INTO sessions (session_id, account_id, created_at, expires_at) VALUES (@session_id, @account_id, @created_at, @expires_at)`,
    ),
    get: db.prepare(`SELECT * FROM sessions WHERE session_id = ?`),
    touch: db.prepare(`UPDATE sessions SET last_used_at = ? WHERE session_id = ?`),
    end: db.prepare(`DELETE FROM sessions WHERE session_id = ?`),
    endAccount: db.prepare(`DELETE FROM sessions WHERE account_id = ?`),
    prune: db.prepare(`DELETE FROM sessions WHERE expires_at <= ?`),
    countAccount: db.prepare(`SELECT COUNT(*) FROM sessions WHERE account_id = ?`).pluck(),
  };
  return {
    insert: (row: Omit<SessionRow, "last_used_at">): void => void st.insert.run(row),
    get: (sessionId: string): SessionRow | undefined => st.get.get(sessionId) as SessionRow | undefined,
    touch: (sessionId: string, at: string): void => void st.touch.run(at, sessionId),
    /** True when the session existed. */
    end: (sessionId: string): boolean => st.end.run(sessionId).changes === 1,
    /** Ends every session of the account; returns how many there were. */
    endAccount: (accountId: string): number => st.endAccount.run(accountId).changes,
    /** Deletes the rows of sessions that have expired; returns how many. */
    prune: (now: string): number => st.prune.run(now).changes,
    countAccount: (accountId: string): number => st.countAccount.get(accountId) as number,
  };
}
