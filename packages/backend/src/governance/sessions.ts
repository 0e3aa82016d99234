/**
 * Login sessions: a row in `sessions` per login, and a signed token that names it (`jti`). A token is
 * good only while its row exists and has not expired; ending a session deletes the row, so the token
 * is dead from the next request on. Whether the account may still act is the resolver's question
 * (governance/accounts.ts).
 */
import { randomUUID } from "node:crypto";
import type { SessionRow, SessionStore } from "./session-store.js";
import type { SessionClaims, TokenIssuer } from "./tokens.js";

/** `last_used_at` is written at most this often per session, so most requests only read. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionTokens {
  /** Starts a session for the account and signs its token; also deletes the rows of expired sessions. */
  issue(account: { account_id: string; username: string }): Promise<{ token: string; expires_at: string; session_id: string }>;
  /** A cheap first look: the live session the token names, its signature not checked yet. */
  peek(token: string): Promise<SessionRow | undefined>;
  /** Verifies the token's signature and expiry, and finds its live session. */
  verify(token: string): Promise<{ claims: SessionClaims; session: SessionRow } | undefined>;
  /** The session if it is still live. */
  live(sessionId: string): Promise<SessionRow | undefined>;
  /** Ends one session; false when it had already ended. */
  end(sessionId: string): Promise<boolean>;
  /** Ends every session of the account; returns how many there were. */
  endAll(accountId: string): Promise<number>;
}

export function createSessionTokens(deps: { issuer: TokenIssuer; sessions: SessionStore; ttlMs: number; clock: () => Date }): SessionTokens {
  const { issuer, sessions, clock } = deps;
  const live = async (sessionId: string, now: Date): Promise<SessionRow | undefined> => {
    const row = await sessions.get(sessionId);
    return row && row.expires_at > now.toISOString() ? row : undefined;
  };
  return {
    issue: async (account) => {
      const now = clock();
      const expiresAt = new Date(now.getTime() + deps.ttlMs);
      const sessionId = randomUUID();
      await sessions.prune(now.toISOString());
      await sessions.insert({ session_id: sessionId, account_id: account.account_id, created_at: now.toISOString(), expires_at: expiresAt.toISOString() });
      const token = await issuer.sign({ username: account.username, sessionId, expiresAt }, now);
      return { token, expires_at: expiresAt.toISOString(), session_id: sessionId };
    },
    peek: async (token) => {
      const sessionId = issuer.peekSessionId(token);
      return sessionId === undefined ? undefined : live(sessionId, clock());
    },
    verify: async (token) => {
      const claims = await issuer.verify(token, clock());
      if (!claims) return undefined;
      const now = clock();
      const session = await live(claims.sessionId, now);
      if (!session) return undefined;
      if (!session.last_used_at || now.getTime() - Date.parse(session.last_used_at) >= TOUCH_EVERY_MS) {
        await sessions.touch(session.session_id, now.toISOString());
      }
      return { claims, session };
    },
    live: (sessionId) => live(sessionId, clock()),
    end: (sessionId) => sessions.end(sessionId),
    endAll: (accountId) => sessions.endAccount(accountId),
  };
}
