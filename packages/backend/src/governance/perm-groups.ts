/**
 * Permission groups as a use case: admins create, replace and delete them and put accounts in them; every
 * change is audited with the state before and after. A group that accounts are in cannot be deleted: its
 * accounts would fall back to whole-fleet rights, the opposite of what deleting a restriction should do.
 */
import { KanadeError, type AccountPermGroups, type PermGroup, type PermGroupInput } from "@kanade/protocol";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import type { AccountStore } from "./account-store.js";
import { mustGetAccount } from "./account-admin.js";
import type { PermGroupRecord, PermGroupStore } from "./perm-group-store.js";

export interface PermGroups {
  list(): PermGroup[];
  get(name: string): PermGroup;
  put(caller: Caller, name: string, input: PermGroupInput): Promise<{ group: PermGroup; created: boolean }>;
  delete(caller: Caller, name: string): Promise<void>;
  ofAccount(username: string): Promise<AccountPermGroups>;
  setForAccount(caller: Caller, username: string, names: readonly string[]): Promise<AccountPermGroups>;
  /** Usernames in a group (the approver-group rule). */
  members(name: string): string[];
  exists(name: string): boolean;
  /** Drops a deleted account's memberships. */
  forgetAccount(accountId: string): void;
}

const shape = (r: PermGroupRecord | undefined) => (r ? { pc_groups: r.pc_groups, capabilities: r.capabilities, description: r.description } : null);

export function createPermGroups(deps: { store: PermGroupStore; accounts: AccountStore; audit: Audit; clock: () => Date }): PermGroups {
  const { store } = deps;
  const full = (r: PermGroupRecord): PermGroup => ({ ...r, members: store.members(r.name) });
  const mustGet = (name: string): PermGroupRecord => {
    const r = store.get(name);
    if (!r) throw new KanadeError("NOT_FOUND", `No permission group "${name}" (kanade perm-group list)`);
    return r;
  };
  return {
    list: () => store.list().map(full),
    get: (name) => full(mustGet(name)),
    put: async (caller, name, input) => {
      const before = store.get(name);
      const after = { pc_groups: input.pc_groups, capabilities: input.capabilities, description: input.description ?? null };
      const created = await deps.audit.around(
        caller,
        { action: before ? "perm_group.update" : "perm_group.create", target: name, payload: { before: shape(before), after } },
        async () => store.put({ name, ...after, updated_at: deps.clock().toISOString(), updated_by: caller.actor }),
      );
      return { group: full(mustGet(name)), created };
    },
    delete: async (caller, name) => {
      const before = mustGet(name);
      const members = store.members(name);
      if (members.length > 0) {
        throw new KanadeError(
          "CONFLICT",
          `Permission group "${name}" still has accounts (${members.join(", ")}); take them out first (kanade account set-perm-groups <user> ...), or they would get whole-fleet rights`,
        );
      }
      await deps.audit.around(caller, { action: "perm_group.delete", target: name, payload: { before: shape(before), after: null } }, async () => store.delete(name));
    },
    ofAccount: async (username) => {
      const a = await mustGetAccount(deps.accounts, username);
      return { username: a.username, perm_groups: store.ofAccount(a.account_id).map((g) => g.name) };
    },
    setForAccount: async (caller, username, names) => {
      const a = await mustGetAccount(deps.accounts, username);
      const unknown = names.filter((n) => !store.get(n));
      if (unknown.length > 0) {
        throw new KanadeError("BAD_REQUEST", `No permission group ${unknown.map((n) => `"${n}"`).join(", ")} (kanade perm-group list)`, {
          details: unknown.map((n) => ({ path: `perm_groups.${names.indexOf(n)}`, message: `no permission group "${n}"` })),
        });
      }
      if (a.role === "admin" && names.length > 0) {
        throw new KanadeError("CONFLICT", `"${a.username}" is an admin: admins are never scoped; give it the operator or viewer role first`);
      }
      const before = store.ofAccount(a.account_id).map((g) => g.name);
      await deps.audit.around(
        caller,
        { action: "account.perm_groups", target: a.username, payload: { before, after: [...names] } },
        async () => store.setForAccount(a.account_id, names),
      );
      return { username: a.username, perm_groups: [...names] };
    },
    members: (name) => store.members(name),
    exists: (name) => store.get(name) !== undefined,
    forgetAccount: (accountId) => store.setForAccount(accountId, []),
  };
}
