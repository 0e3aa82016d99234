/** Server-side login sessions (migration 007-sessions): a token is good only while its row is here. */
import type { SqlDatabase } from "../db/database.js";

export interface SessionRow {
  session_id: string;
  /** The immutable id of the account, never its name: a re-created name does not inherit sessions. */
  account_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
}

export interface SessionStore {
  insert(row: Omit<SessionRow, "last_used_at">): Promise<void>;
  get(sessionId: string): Promise<SessionRow | undefined>;
  touch(sessionId: string, at: string): Promise<void>;
  /** True when the session existed. */
  end(sessionId: string): Promise<boolean>;
  /** Ends every session of the account; returns how many there were. */
  endAccount(accountId: string): Promise<number>;
  /** Deletes the rows of sessions that have expired; returns how many. */
  prune(now: string): Promise<number>;
}

export function openSessionStore(db: SqlDatabase): SessionStore {
  const st = {
    insert: db.prepare(
      `INSERT INTO sessions (session_id, account_id, created_at, expires_at) VALUES (@session_id, @account_id, @created_at, @expires_at)`,
    ),
    get: db.prepare(`SELECT * FROM sessions WHERE session_id = ?`),
    touch: db.prepare(`UPDATE sessions SET last_used_at = ? WHERE session_id = ?`),
    end: db.prepare(`DELETE FROM sessions WHERE session_id = ?`),
    endAccount: db.prepare(`DELETE FROM sessions WHERE account_id = ?`),
    prune: db.prepare(`DELETE FROM sessions WHERE expires_at <= ?`),
  };
  return {
    insert: async (row) => void st.insert.run(row),
    get: async (sessionId) => st.get.get(sessionId) as SessionRow | undefined,
    touch: async (sessionId, at) => void st.touch.run(at, sessionId),
    end: async (sessionId) => st.end.run(sessionId).changes === 1,
    endAccount: async (accountId) => st.endAccount.run(accountId).changes,
    prune: async (now) => st.prune.run(now).changes,
  };
}
