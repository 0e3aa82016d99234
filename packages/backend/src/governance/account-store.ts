/** The `accounts` table (migrations 005-governance, 007-sessions): who may sign in, with which role. */
import { randomUUID } from "node:crypto";
import type { AccountSummary, Role } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

export interface AccountRecord extends AccountSummary {
  /** Made once at creation and never reused: sessions belong to this, not to the name. */
  account_id: string;
  password_hash: string;
}

export interface NewAccount {
  username: string;
  password_hash: string;
  role: Role;
  must_change_password: boolean;
  email?: string | null;
}

export interface AccountChange {
  role?: Role;
  disabled?: boolean;
  password_hash?: string;
  must_change_password?: boolean;
  email?: string | null;
}

/** Names compare without case (`Alice` is `alice`); the stored spelling is the one shown and audited. */
export interface AccountStore {
  countAccounts(): Promise<number>;
  getAccount(username: string): Promise<AccountRecord | undefined>;
  getAccountById(accountId: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Accounts with this e-mail address (any case). */
  getAccountsByEmail(email: string): Promise<AccountRecord[]>;
  /** False when the username is taken, in any case. */
  createAccount(account: NewAccount, now: string): Promise<boolean>;
  /** False when there is no such account. */
  updateAccount(username: string, change: AccountChange, now: string): Promise<boolean>;
  deleteAccount(username: string): Promise<boolean>;
  touchLogin(username: string, at: string): Promise<void>;
}

interface AccountDbRow extends Omit<AccountRecord, "disabled" | "must_change_password"> {
  disabled: number;
  must_change_password: number;
}

const toAccount = (r: AccountDbRow): AccountRecord => ({
  ...r,
  disabled: r.disabled === 1,
  must_change_password: r.must_change_password === 1,
});

/**
 * The password hash of an account made by single sign-on: no argon2 hash looks like it, so every password
 * check fails; it has no local password to sign in, change or reset.
 */
export const SSO_PASSWORD_HASH = "!sso";

export const isSsoAccount = (a: Pick<AccountRecord, "password_hash">): boolean => a.password_hash === SSO_PASSWORD_HASH;

/** Accounts without their hashes and internal ids, as the API shows them; SSO accounts say so. */
export const publicAccount = ({ password_hash: h, account_id: _id, ...a }: AccountRecord): AccountSummary =>
  h === SSO_PASSWORD_HASH ? { ...a, sso: true } : a;

export function openAccountStore(db: SqlDatabase): AccountStore {
  const st = {
    countAccounts: db.prepare(`SELECT COUNT(*) FROM accounts`).pluck(),
    getAccount: db.prepare(`SELECT * FROM accounts WHERE username = ? COLLATE NOCASE`),
    getAccountById: db.prepare(`SELECT * FROM accounts WHERE account_id = ?`),
    listAccounts: db.prepare(`SELECT * FROM accounts ORDER BY username`),
    byEmail: db.prepare(`SELECT * FROM accounts WHERE email = ? COLLATE NOCASE ORDER BY username`),
    // No conflict target: a clash on the name in any case, or on the id, inserts nothing.
    insertAccount: db.prepare(
      `INSERT INTO accounts (username, account_id, password_hash, role, disabled, must_change_password, email, created_at, updated_at)
       VALUES (@username, @account_id, @password_hash, @role, 0, @must_change_password, @email, @now, @now) ON CONFLICT DO NOTHING`,
    ),
    deleteAccount: db.prepare(`DELETE FROM accounts WHERE username = ? COLLATE NOCASE`),
    touchLogin: db.prepare(`UPDATE accounts SET last_login_at = ? WHERE username = ? COLLATE NOCASE`),
  };
  const one = (r: unknown): AccountRecord | undefined => (r ? toAccount(r as AccountDbRow) : undefined);
  return {
    countAccounts: async () => st.countAccounts.get() as number,
    getAccount: async (username) => one(st.getAccount.get(username)),
    getAccountById: async (accountId) => one(st.getAccountById.get(accountId)),
    listAccounts: async () => (st.listAccounts.all() as AccountDbRow[]).map(toAccount),
    getAccountsByEmail: async (email) => (st.byEmail.all(email) as AccountDbRow[]).map(toAccount),
    createAccount: async (a, now) =>
      st.insertAccount.run({ ...a, account_id: randomUUID(), must_change_password: a.must_change_password ? 1 : 0, email: a.email ?? null, now }).changes === 1,
    updateAccount: async (username, change, now) => {
      const params: Record<string, string | number | null> = { username, now };
      const sets: string[] = ["updated_at = @now"];
      const set = (column: string, value: string | number): void => {
        sets.push(`${column} = @${column}`);
        params[column] = value;
      };
      const setNullable = (column: string, value: string | null): void => {
        sets.push(`${column} = @${column}`);
        params[column] = value;
      };
      if (change.role !== undefined) set("role", change.role);
      if (change.disabled !== undefined) set("disabled", change.disabled ? 1 : 0);
      if (change.password_hash !== undefined) set("password_hash", change.password_hash);
      if (change.must_change_password !== undefined) set("must_change_password", change.must_change_password ? 1 : 0);
      if (change.email !== undefined) setNullable("email", change.email);
      return db.prepare(`UPDATE accounts SET ${sets.join(", ")} WHERE username = @username COLLATE NOCASE`).run(params).changes === 1;
    },
    deleteAccount: async (username) => st.deleteAccount.run(username).changes === 1,
    touchLogin: async (username, at) => void st.touchLogin.run(at, username),
  };
}
