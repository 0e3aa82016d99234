/**
 * A caller's scope: the PCs and capabilities its permission groups allow. Membership is read from the
 * `agent_groups` mirror at each question, so a PC that joins or leaves a PC group (static edit, or a dynamic
 * group re-materialised) is in or out of scope at once, with no cache to go stale.
 */
import { KanadeError, type Capability } from "@kanade/protocol";
import type { AgentGroups } from "../agent-groups.js";
import type { AccountStore } from "./account-store.js";
import type { PermGroupStore } from "./perm-group-store.js";
import type { Scope } from "./scope-types.js";

export type { Scope } from "./scope-types.js";


export function makeScope(permGroups: readonly { name: string; pc_groups: readonly string[]; capabilities: readonly Capability[] }[], groups: Pick<AgentGroups, "cached" | "members">): Scope {
  const pcGroups = [...new Set(permGroups.flatMap((g) => g.pc_groups))].sort();
  const groupSet = new Set(pcGroups);
  const capabilities = new Set(permGroups.flatMap((g) => g.capabilities));
  const names = permGroups.map((g) => g.name);
  return {
    permGroups: names,
    pcGroups,
    capabilities,
    has: (pc) => groups.cached(pc)?.some((g) => groupSet.has(g)) === true,
    hasGroup: (g) => groupSet.has(g),
    pcs: () => [...new Set(pcGroups.flatMap((g) => groups.members(g)))].sort(),
    view: () => ({ perm_groups: names, pc_groups: pcGroups, capabilities: [...capabilities].sort() }),
  };
}

export interface ScopeResolver {
  /** The scope of an account by username; undefined when it is in no permission group (whole fleet). */
  forAccount(username: string): Promise<Scope | undefined>;
}

export function createScopeResolver(deps: { accounts: AccountStore; permGroups: PermGroupStore; groups: Pick<AgentGroups, "cached" | "members"> }): ScopeResolver {
  return {
    forAccount: async (username) => {
      const account = await deps.accounts.getAccount(username);
      if (!account || account.role === "admin") return undefined;
      const pgs = deps.permGroups.ofAccount(account.account_id);
      return pgs.length === 0 ? undefined : makeScope(pgs, deps.groups);
    },
  };
}

/** OUT_OF_SCOPE naming what the caller asked for and what it may reach. */
export function outOfScope(scope: Scope, what: string): KanadeError {
  return new KanadeError(
    "OUT_OF_SCOPE",
    `${what} is outside your permission groups (${scope.permGroups.join(", ")}: PC groups ${scope.pcGroups.join(", ")})`,
  );
}

export function requireCapability(scope: Scope, cap: Capability, action: string): void {
  if (!scope.capabilities.has(cap)) {
    throw new KanadeError(
      "OUT_OF_SCOPE",
      `${action} needs the ${cap} capability, which none of your permission groups (${scope.permGroups.join(", ")}) grants`,
    );
  }
}
