/** Which PCs an execution expects answers from: named PCs, members of named groups, or every known agent. */
import type { ExecTarget } from "./types.js";

export function targetResolver(deps: { members(group: string): Iterable<string>; agentIds(): Promise<string[]> }): (t: ExecTarget) => Promise<string[]> {
  return async (t) => {
    const pcs = new Set<string>(t.pcs ?? []);
    for (const g of t.groups ?? []) for (const pc of deps.members(g)) pcs.add(pc);
    if (t.all) for (const pc of await deps.agentIds()) pcs.add(pc);
    return [...pcs].sort();
  };
}
