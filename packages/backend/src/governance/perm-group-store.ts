/** The `perm_groups` and `account_perm_groups` tables (migration 014-scopes-perm-groups). */
import type { Capability, PermGroup } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

export type PermGroupRecord = Omit<PermGroup, "members">;

interface Row {
  name: string;
  description: string | null;
  pc_groups: string;
  capabilities: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

const toRecord = (r: Row): PermGroupRecord => ({
  ...r,
  pc_groups: JSON.parse(r.pc_groups) as string[],
  capabilities: JSON.parse(r.capabilities) as Capability[],
});

export interface PermGroupStore {
  list(): PermGroupRecord[];
  get(name: string): PermGroupRecord | undefined;
  /** Inserts or replaces; true when it was new. */
  put(g: Omit<PermGroupRecord, "created_at">): boolean;
  delete(name: string): boolean;
  /** Usernames of the accounts in the group. */
  members(name: string): string[];
  /** The groups of one account, by account_id. */
  ofAccount(accountId: string): PermGroupRecord[];
  /** Replaces an account's groups (an empty list drops them all, e.g. when the account is deleted). */
  setForAccount(accountId: string, names: readonly string[]): void;
}

export function openPermGroupStore(db: SqlDatabase): PermGroupStore {
  const st = {
    list: db.prepare(`SELECT * FROM perm_groups ORDER BY name`),
    get: db.prepare(`SELECT * FROM perm_groups WHERE name = ?`),
    insert: db.prepare(
      `INSERT INTO perm_groups (name, description, pc_groups, capabilities, created_at, updated_at, updated_by)
       VALUES (@name, @description, @pc_groups, @capabilities, @updated_at, @updated_at, @updated_by)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, pc_groups = excluded.pc_groups,
         capabilities = excluded.capabilities, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    delete: db.prepare(`DELETE FROM perm_groups WHERE name = ?`),
    // Accounts deleted since keep no row that matters: the join drops them.
    members: db.prepare(
      `SELECT a.username FROM account_perm_groups m JOIN accounts a ON a.account_id = m.account_id WHERE m.perm_group = ? ORDER BY a.username`,
    ).pluck(),
    ofAccount: db.prepare(`SELECT g.* FROM account_perm_groups m JOIN perm_groups g ON g.name = m.perm_group WHERE m.account_id = ? ORDER BY g.name`),
    clearAccount: db.prepare(`DELETE FROM account_perm_groups WHERE account_id = ?`),
    addAccount: db.prepare(`INSERT INTO account_perm_groups (account_id, perm_group) VALUES (?, ?) ON CONFLICT DO NOTHING`),
  };
  return {
    list: () => (st.list.all() as Row[]).map(toRecord),
    get: (name) => {
      const r = st.get.get(name) as Row | undefined;
      return r ? toRecord(r) : undefined;
    },
    put: (g) =>
      db.transaction(() => {
        const existed = st.get.get(g.name) !== undefined;
        st.insert.run({ ...g, pc_groups: JSON.stringify(g.pc_groups), capabilities: JSON.stringify(g.capabilities) });
        return !existed;
      })(),
    delete: (name) => st.delete.run(name).changes === 1,
    members: (name) => st.members.all(name) as string[],
    ofAccount: (accountId) => (st.ofAccount.all(accountId) as Row[]).map(toRecord),
    setForAccount: (accountId, names) =>
      db.transaction(() => {
        st.clearAccount.run(accountId);
        for (const n of names) st.addAccount.run(accountId, n);
      })(),
  };
}
