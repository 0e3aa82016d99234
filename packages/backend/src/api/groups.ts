/** Group membership routes over KV `agent_groups` (the agents watch it and follow changes live). */
import type { FastifyInstance } from "fastify";
import type { Caller } from "../caller.js";
import type { RouteDeps } from "../deps.js";
import type { DynamicGroups } from "../groups/index.js";
import { requireNats } from "../nats.js";
import { serve } from "./route.js";

/** KV updates in flight at once when many PCs join a group. */
const ADD_CONCURRENCY = 32;

export function groupRoutes(app: FastifyInstance, deps: RouteDeps, dynamic?: DynamicGroups): void {
  const mutate = async (caller: Caller, action: string, pc: string, change: (current: string[]) => string[]): Promise<{ pc_id: string; groups: string[] }> => {
    requireNats(deps.nats);
    const groups = await deps.auditLog.around(
      caller,
      { action, target: pc },
      () => deps.groups.update(pc, change),
      (after) => ({ payload: { groups: after } }),
    );
    deps.log.info({ pc_id: pc, groups }, "agent groups changed");
    return { pc_id: pc, groups, ...(deps.groups.split(pc) ?? {}) };
  };

  serve(app, "getAgentGroups", async ({ params }) => {
    const groups = await deps.groups.get(params.pc);
    return { pc_id: params.pc, groups, ...(deps.groups.split(params.pc) ?? { static: groups, dynamic: [] }) };
  });
  serve(app, "setAgentGroups", ({ params, body }, ctx) => mutate(ctx.caller, "agent.groups.set", params.pc, () => body.groups));
  serve(app, "addAgentGroups", ({ params, body }, ctx) => mutate(ctx.caller, "agent.groups.add", params.pc, (current) => [...current, ...body.groups]));
  serve(app, "removeAgentGroup", ({ params }, ctx) =>
    mutate(ctx.caller, "agent.groups.remove", params.pc, (current) => current.filter((x) => x !== params.g)),
  );
  // Many PCs into one group: one request and one audit record instead of one of each per PC.
  serve(app, "addGroupMembers", async ({ params, body }, ctx) => {
    requireNats(deps.nats);
    const group = params.g;
    const pcs = [...new Set(body.pcs)].sort();
    const added = await deps.auditLog.around(
      ctx.caller,
      { action: "group.members.add", target: group, payload: { pcs } },
      async () => {
        // Set on every attempt of the compare-and-set, so a retry that finds the PC already a member counts right.
        const joined = new Map<string, boolean>();
        for (let i = 0; i < pcs.length; i += ADD_CONCURRENCY) {
          await Promise.all(
            pcs.slice(i, i + ADD_CONCURRENCY).map((pc) =>
              deps.groups.update(pc, (current) => {
                const member = current.includes(group);
                joined.set(pc, !member);
                return member ? current : [...current, group];
              }),
            ),
          );
        }
        return pcs.filter((pc) => joined.get(pc) === true);
      },
      (after) => ({ payload: { pcs, added: after } }),
    );
    deps.log.info({ group, added: added.length, asked: pcs.length }, "PCs added to group");
    return { group, added, members: deps.groups.members(group) };
  });

  serve(app, "listGroups", async () => {
    const queries = new Map((dynamic?.list() ?? []).map((d) => [d.name, d.query]));
    const byName = deps.groups.all();
    // A dynamic group that matches nothing yet is still listed.
    for (const name of queries.keys()) if (!byName.has(name)) byName.set(name, []);
    const items = [...byName]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, members]) => ({
        group,
        members,
        // Same data under the names protocol's GroupSummary uses (the CLI reads these).
        name: group,
        pcs: members,
        count: members.length,
        ...(queries.has(group) ? { query: queries.get(group)! } : {}),
      }));
    return { items, next_cursor: null };
  });
}
