/** Group membership routes over KV `agent_groups` (the agents watch it and follow changes live). */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { GROUP_RE, pcIdSchema } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { requireNats } from "../nats.js";
import { callerOf } from "./caller.js";

const groupName = z.string().regex(GROUP_RE, "expected a group name (letters, digits, _ and -, at most 63)");
const pcParams = z.object({ pc: pcIdSchema });
const groupParams = z.object({ pc: pcIdSchema, g: groupName });
const body = z.object({ groups: z.array(groupName) }).strict();

export function groupRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const mutate = async (
    req: FastifyRequest,
    action: string,
    change: (pc: string, current: string[]) => string[],
    pcFrom: unknown,
  ): Promise<{ pc_id: string; groups: string[] }> => {
    const { pc } = parseOr400(pcParams, pcFrom, "pc_id");
    requireNats(deps.nats);
    const groups = await deps.auditLog.around(
      callerOf(req),
      { action, target: pc },
      () => deps.groups.update(pc, (current) => change(pc, current)),
      (after) => ({ payload: { groups: after } }),
    );
    req.log.info({ pc_id: pc, groups }, "agent groups changed");
    return { pc_id: pc, groups };
  };

  app.get("/api/agents/:pc/groups", async (req) => {
    const { pc } = parseOr400(pcParams, req.params, "pc_id");
    return { pc_id: pc, groups: await deps.groups.get(pc) };
  });

  app.put("/api/agents/:pc/groups", async (req) => {
    const { groups } = parseOr400(body, req.body, "body");
    return mutate(req, "agent.groups.set", () => groups, req.params);
  });

  app.post("/api/agents/:pc/groups", async (req) => {
    const { groups } = parseOr400(body, req.body, "body");
    return mutate(req, "agent.groups.add", (_pc, current) => [...current, ...groups], req.params);
  });

  app.delete("/api/agents/:pc/groups/:g", async (req) => {
    const { g } = parseOr400(groupParams, req.params, "path");
    return mutate(req, "agent.groups.remove", (_pc, current) => current.filter((x) => x !== g), req.params);
  });

  app.get("/api/groups", async () => {
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
