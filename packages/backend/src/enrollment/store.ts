/** Enrollment tables: join requests and their state, keys the broker must refuse, and enrollment tokens. */
import type { EnrollmentState, EnrollmentView, EnrollTokenView } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

interface EnrollmentRow {
  pc_id: string;
  hostname: string;
  public_key: string;
  state: EnrollmentState;
  requested_at: string;
  decided_at: string | null;
  decided_by: string | null;
  via_token: string | null;
  conflict_public_key: string | null;
  conflict_hostname: string | null;
  conflict_requested_at: string | null;
}

interface TokenRow {
  token_id: string;
  grp: string | null;
  uses_left: number;
  expires_at: string;
  created_by: string;
  created_at: string;
}

export interface EnrollmentStore {
  get(pcId: string): EnrollmentView | undefined;
  list(state?: EnrollmentState | "attention"): EnrollmentView[];
  /** Inserts or replaces the whole row (conflict cleared unless given). */
  put(v: EnrollmentView): void;
  setConflict(pcId: string, c: { public_key: string; hostname: string; requested_at: string } | null): void;
  revokeKey(publicKey: string, pcId: string, at: string): void;
  /** Public key → when it was revoked. */
  revokedKeys(): Map<string, string>;
  addToken(t: EnrollTokenView, hash: string): void;
  /** Takes one use of the token with this hash when it is still valid at `now`; its row (after the use) or undefined. */
  useToken(hash: string, now: string): EnrollTokenView | undefined;
  listTokens(now: string): EnrollTokenView[];
  /** The token with this hash when it still has uses and has not expired at `now`. */
  findToken(hash: string, now: string): EnrollTokenView | undefined;
}

const toView = (r: EnrollmentRow): EnrollmentView => ({
  pc_id: r.pc_id,
  hostname: r.hostname,
  public_key: r.public_key,
  state: r.state,
  requested_at: r.requested_at,
  decided_at: r.decided_at,
  decided_by: r.decided_by,
  via_token: r.via_token,
  conflict: r.conflict_public_key ? { public_key: r.conflict_public_key, hostname: r.conflict_hostname ?? "", requested_at: r.conflict_requested_at ?? "" } : null,
});

const toToken = (r: TokenRow): EnrollTokenView => ({
  token_id: r.token_id,
  group: r.grp,
  uses_left: r.uses_left,
  expires_at: r.expires_at,
  created_by: r.created_by,
  created_at: r.created_at,
});

export function openEnrollmentStore(db: SqlDatabase): EnrollmentStore {
  const st = {
    get: db.prepare("SELECT * FROM agent_enrollments WHERE pc_id = ?"),
    all: db.prepare("SELECT * FROM agent_enrollments ORDER BY requested_at DESC, pc_id"),
    byState: db.prepare("SELECT * FROM agent_enrollments WHERE state = ? ORDER BY requested_at DESC, pc_id"),
    attention: db.prepare("SELECT * FROM agent_enrollments WHERE state = 'pending' OR conflict_public_key IS NOT NULL ORDER BY requested_at DESC, pc_id"),
    put: db.prepare(
      `INSERT INTO agent_enrollments (pc_id, hostname, public_key, state, requested_at, decided_at, decided_by, via_token,
         conflict_public_key, conflict_hostname, conflict_requested_at)
       VALUES (@pc_id, @hostname, @public_key, @state, @requested_at, @decided_at, @decided_by, @via_token, @cpk, @ch, @cra)
       ON CONFLICT (pc_id) DO UPDATE SET hostname = excluded.hostname, public_key = excluded.public_key, state = excluded.state,
         requested_at = excluded.requested_at, decided_at = excluded.decided_at, decided_by = excluded.decided_by,
         via_token = excluded.via_token, conflict_public_key = excluded.conflict_public_key,
         conflict_hostname = excluded.conflict_hostname, conflict_requested_at = excluded.conflict_requested_at`,
    ),
    conflict: db.prepare("UPDATE agent_enrollments SET conflict_public_key = ?, conflict_hostname = ?, conflict_requested_at = ? WHERE pc_id = ?"),
    revoke: db.prepare("INSERT INTO revoked_agent_keys (public_key, pc_id, revoked_at) VALUES (?, ?, ?) ON CONFLICT (public_key) DO UPDATE SET pc_id = excluded.pc_id, revoked_at = excluded.revoked_at"),
    revoked: db.prepare("SELECT public_key, revoked_at FROM revoked_agent_keys"),
    addToken: db.prepare(
      "INSERT INTO enroll_tokens (token_id, token_hash, grp, uses_left, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    useToken: db.prepare("UPDATE enroll_tokens SET uses_left = uses_left - 1 WHERE token_hash = ? AND uses_left > 0 AND expires_at > ?"),
    tokenByHash: db.prepare("SELECT * FROM enroll_tokens WHERE token_hash = ?"),
    tokens: db.prepare("SELECT * FROM enroll_tokens WHERE uses_left > 0 AND expires_at > ? ORDER BY created_at DESC"),
    validToken: db.prepare("SELECT * FROM enroll_tokens WHERE token_hash = ? AND uses_left > 0 AND expires_at > ?"),
  };
  return {
    get: (pcId) => {
      const r = st.get.get(pcId) as EnrollmentRow | undefined;
      return r && toView(r);
    },
    list: (state) =>
      ((state === undefined ? st.all.all() : state === "attention" ? st.attention.all() : st.byState.all(state)) as EnrollmentRow[]).map(toView),
    put: (v) =>
      void st.put.run({
        pc_id: v.pc_id,
        hostname: v.hostname,
        public_key: v.public_key,
        state: v.state,
        requested_at: v.requested_at,
        decided_at: v.decided_at,
        decided_by: v.decided_by,
        via_token: v.via_token,
        cpk: v.conflict?.public_key ?? null,
        ch: v.conflict?.hostname ?? null,
        cra: v.conflict?.requested_at ?? null,
      }),
    setConflict: (pcId, c) => void st.conflict.run(c?.public_key ?? null, c?.hostname ?? null, c?.requested_at ?? null, pcId),
    revokeKey: (publicKey, pcId, at) => void st.revoke.run(publicKey, pcId, at),
    revokedKeys: () => new Map((st.revoked.all() as { public_key: string; revoked_at: string }[]).map((r) => [r.public_key, r.revoked_at])),
    addToken: (t, hash) => void st.addToken.run(t.token_id, hash, t.group, t.uses_left, t.expires_at, t.created_by, t.created_at),
    useToken: (hash, now) => {
      if (st.useToken.run(hash, now).changes !== 1) return undefined;
      return toToken(st.tokenByHash.get(hash) as TokenRow);
    },
    listTokens: (now) => (st.tokens.all(now) as TokenRow[]).map(toToken),
    findToken: (hash, now) => {
      const r = st.validToken.get(hash, now) as TokenRow | undefined;
      return r && toToken(r);
    },
  };
}
