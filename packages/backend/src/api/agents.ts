/** Agents as their heartbeats describe them; online = a heartbeat within 3× the agent's interval. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, pcIdSchema, type AgentSummary } from "@kanade/protocol";
import { DEFAULT_HEARTBEAT_SECS, isOnline } from "../agents/online.js";
import type { AgentRecord } from "../agents/store.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { callerOf } from "./caller.js";

const params = z.object({ pc: pcIdSchema });
const listQuery = z.object({
  online: z.enum(["true", "false", "1", "0"]).optional(),
  // Accepted for symmetry with other list routes; the agent list is returned whole.
  limit: z.coerce.number().int().positive().optional(),
  cursor: z.string().optional(),
});

function toSummary(a: AgentRecord, groups: string[] | undefined, now: Date): AgentSummary {
  return {
    pc_id: a.pc_id,
    online: isOnline(a, now),
    hostname: a.hostname,
    os_family: a.os_family,
    os_version: a.os_version,
    agent_version: a.agent_version,
    // KV membership is the truth; the heartbeat's copy is only a fallback until the mirror has it.
    groups: groups ?? a.groups,
    last_seen: a.last_seen,
    agent_rss_bytes: a.agent_rss_bytes,
    agent_cpu_pct: a.agent_cpu_pct,
    heartbeat_interval_secs: a.heartbeat_interval_secs ?? DEFAULT_HEARTBEAT_SECS,
  };
}

/** `onForget` lets feature stores drop what they know about a decommissioned PC (inventory, facts). */
export function agentRoutes(app: FastifyInstance, deps: RouteDeps, hooks: { onForget?: (pcId: string) => void | Promise<void> } = {}): void {
  app.get("/api/agents", async (req) => {
    const q = parseOr400(listQuery, req.query, "query");
    const now = deps.clock();
    let items = (await deps.agents.listAgents()).map((a) => toSummary(a, deps.groups.cached(a.pc_id), now));
    if (q.online === "true" || q.online === "1") items = items.filter((a) => a.online);
    if (q.online === "false" || q.online === "0") items = items.filter((a) => !a.online);
    return { items, next_cursor: null };
  });

  app.get("/api/agents/:pc", async (req) => {
    const { pc } = parseOr400(params, req.params, "pc_id");
    const a = await deps.agents.getAgent(pc);
    if (!a) throw new KanadeError("AGENT_NOT_FOUND", `No agent "${pc}" has sent a heartbeat`);
    const now = deps.clock();
    return {
      ...toSummary(a, deps.groups.cached(pc), now),
      boot_time: a.boot_time,
      logged_in_user: a.logged_in_user,
      quarantined_versions: a.quarantined_versions,
    };
  });

  app.delete("/api/agents/:pc", async (req) => {
    const { pc } = parseOr400(params, req.params, "pc_id");
    await deps.auditLog.around(callerOf(req), { action: "agent.delete", target: pc }, async () => {
      if (!(await deps.agents.deleteAgent(pc))) throw new KanadeError("AGENT_NOT_FOUND", `No agent "${pc}"`);
      await hooks.onForget?.(pc);
    });
    req.log.info({ pc_id: pc }, "agent removed");
    return { pc_id: pc, deleted: true };
  });
}
