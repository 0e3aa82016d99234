/** Accounts and the projected audit log in SQLite (migrations 005-governance, 007-sessions). */
import { randomUUID } from "node:crypto";
import type { AccountSummary, AuditRecord, Role } from "@kanade/protocol";
import type { PageKey } from "../cursor.js";
import type { SqlDatabase } from "./database.js";

export interface AccountRecord extends AccountSummary {
  /** Made once at creation and never reused: sessions belong to this, not to the name. */
  account_id: string;
  password_hash: string;
}

interface AccountDbRow extends Omit<AccountRecord, "disabled" | "must_change_password"> {
  disabled: number;
  must_change_password: number;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

export interface AccountChange {
  role?: Role;
  disabled?: boolean;
  password_hash?: string;
  must_change_password?: boolean;
}

export type GovernanceStore = ReturnType<typeof openGovernanceStore>;

const toAccount = (r: AccountDbRow): AccountRecord => ({
  ...r,
  disabled: r.disabled === 1,
  must_change_password: r.must_change_password === 1,
});

/** Accounts without their hashes and internal ids, as the API shows them. */
export const publicAccount = ({ password_hash: _h, account_id: _id, ...a }: AccountRecord): AccountSummary => a;

export function openGovernanceStore(db: SqlDatabase) {
  const st = {
    countAccounts: db.prepare(`SELECT COUNT(*) FROM accounts`).pluck(),
    // Names compare without case (`Alice` is `alice`); the stored spelling is the one shown and audited.
    getAccount: db.prepare(`SELECT * FROM accounts WHERE username = ? COLLATE NOCASE`),
    getAccountById: db.prepare(`SELECT * FROM accounts WHERE account_id = ?`),
    listAccounts: db.prepare(`SELECT * FROM accounts ORDER BY username`),
    // No conflict target: a clash on the name in any case, or on the id, inserts nothing.
    insertAccount: db.prepare(
      `INSERT INTO accounts (username, account_id, password_hash, role, disabled, must_change_password, created_at, updated_at)
       VALUES (@username, @account_id, @password_hash, @role, 0, @must_change_password, @now, @now) ON CONFLICT DO NOTHING`,
    ),
    deleteAccount: db.prepare(`DELETE FROM accounts WHERE username = ? COLLATE NOCASE`),
    touchLogin: db.prepare(`UPDATE accounts SET last_login_at = ? WHERE username = ? COLLATE NOCASE`),
    insertAudit: db.prepare(
      `INSERT INTO audit_log (id, at, actor, action, target, payload_summary, source_ip, stream_seq)
       VALUES (@id, @at, @actor, @action, @target, @payload_summary, @source_ip, @stream_seq) ON CONFLICT (id) DO NOTHING`,
    ),
    countAudit: db.prepare(`SELECT COUNT(*) FROM audit_log`).pluck(),
  };

  const insertAudit = db.transaction((events: readonly (AuditRecord & { stream_seq?: number })[]) => {
    let n = 0;
    for (const e of events) {
      n += st.insertAudit.run({
        ...e,
        at: new Date(e.at).toISOString(),
        payload_summary: JSON.stringify(e.payload_summary),
        stream_seq: e.stream_seq ?? null,
      }).changes;
    }
    return n;
  });

  return {
    accountCount: (): number => st.countAccounts.get() as number,
    getAccount: (username: string): AccountRecord | undefined => {
      const r = st.getAccount.get(username) as AccountDbRow | undefined;
      return r ? toAccount(r) : undefined;
    },
    getAccountById: (accountId: string): AccountRecord | undefined => {
      const r = st.getAccountById.get(accountId) as AccountDbRow | undefined;
      return r ? toAccount(r) : undefined;
    },
    listAccounts: (): AccountRecord[] => (st.listAccounts.all() as AccountDbRow[]).map(toAccount),
    /** False when the username is taken, in any case. */
    createAccount: (a: { username: string; password_hash: string; role: Role; must_change_password: boolean }, now: string): boolean =>
      st.insertAccount.run({ ...a, account_id: randomUUID(), must_change_password: a.must_change_password ? 1 : 0, now }).changes === 1,
    updateAccount: (username: string, change: AccountChange, now: string): boolean => {
      const params: Record<string, string | number> = { username, now };
      const sets: string[] = ["updated_at = @now"];
      const set = (column: string, value: string | number): void => {
        sets.push(`${column} = @${column}`);
        params[column] = value;
      };
      if (change.role !== undefined) set("role", change.role);
      if (change.disabled !== undefined) set("disabled", change.disabled ? 1 : 0);
      if (change.password_hash !== undefined) set("password_hash", change.password_hash);
      if (change.must_change_password !== undefined) set("must_change_password", change.must_change_password ? 1 : 0);
      return db.prepare(`UPDATE accounts SET ${sets.join(", ")} WHERE username = @username COLLATE NOCASE`).run(params).changes === 1;
    },
    deleteAccount: (username: string): boolean => st.deleteAccount.run(username).changes === 1,
    touchLogin: (username: string, at: string): void => void st.touchLogin.run(at, username),


    /** Inserts audit events not seen before (by id); returns how many were new. */
    insertAudit: (events: readonly (AuditRecord & { stream_seq?: number })[]): number => (events.length ? insertAudit(events) : 0),
    auditCount: (): number => st.countAudit.get() as number,
    listAudit: (opts: AuditFilter & { limit: number; after?: PageKey }): AuditRecord[] => {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit: opts.limit };
      const add = (clause: string, values: Record<string, string>): void => {
        where.push(clause);
        Object.assign(params, values);
      };
      for (const k of ["actor", "action", "target"] as const) {
        const v = opts[k];
        if (v === undefined) continue;
        // A trailing * matches a prefix: `--action exec.*`.
        if (v.endsWith("*")) add(`${k} LIKE @${k} ESCAPE '\\'`, { [k]: v.slice(0, -1).replace(/[\\%_]/g, "\\$&") + "%" });
        else add(`${k} = @${k}`, { [k]: v });
      }
      if (opts.since) add("at >= @since", { since: opts.since });
      if (opts.until) add("at < @until", { until: opts.until });
      if (opts.after) add("(at, id) < (@a_at, @a_id)", { a_at: opts.after.at, a_id: opts.after.id });
      const sql = `SELECT id, at, actor, action, target, payload_summary, source_ip FROM audit_log
                   ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as (Omit<AuditRecord, "payload_summary"> & { payload_summary: string })[]).map((r) => ({
        ...r,
        payload_summary: JSON.parse(r.payload_summary) as Record<string, unknown>,
      }));
    },
  };
}
