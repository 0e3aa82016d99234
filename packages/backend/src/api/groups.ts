/** Group membership routes over KV `agent_groups` (the agents watch it and follow changes live). */
import type { FastifyInstance } from "fastify";
import type { Caller } from "../caller.js";
import type { RouteDeps } from "../deps.js";
import { requireNats } from "../nats.js";
import { serve } from "./route.js";

export function groupRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const mutate = async (caller: Caller, action: string, pc: string, change: (current: string[]) => string[]): Promise<{ pc_id: string; groups: string[] }> => {
    requireNats(deps.nats);
    const groups = await deps.auditLog.around(
      caller,
      { action, target: pc },
      () => deps.groups.update(pc, change),
      (after) => ({ payload: { groups: after } }),
    );
    deps.log.info({ pc_id: pc, groups }, "agent groups changed");
    return { pc_id: pc, groups };
  };

  serve(app, "getAgentGroups", async ({ params }) => ({ pc_id: params.pc, groups: await deps.groups.get(params.pc) }));
  serve(app, "setAgentGroups", ({ params, body }, ctx) => mutate(ctx.caller, "agent.groups.set", params.pc, () => body.groups));
  serve(app, "addAgentGroups", ({ params, body }, ctx) => mutate(ctx.caller, "agent.groups.add", params.pc, (current) => [...current, ...body.groups]));
  serve(app, "removeAgentGroup", ({ params }, ctx) =>
    mutate(ctx.caller, "agent.groups.remove", params.pc, (current) => current.filter((x) => x !== params.g)),
  );
  serve(app, "listGroups", async () => {
    const items = [...deps.groups.all()].map(([group, members]) => ({
      group,
      members,
      // Same data under the names protocol's GroupSummary uses (the CLI reads these).
      name: group,
      pcs: members,
      count: members.length,
    }));
    return { items, next_cursor: null };
  });
}
