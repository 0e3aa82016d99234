/** Agents as their heartbeats describe them; online = a heartbeat within 3× the agent's interval. */
import type { FastifyInstance } from "fastify";
import { agentMatches, KanadeError, type AgentSummary, type HostPerf } from "@kanade/protocol";
import { DEFAULT_HEARTBEAT_SECS, isOnline } from "../agents/online.js";
import type { AgentRecord } from "../agents/store.js";
import type { RouteDeps } from "../deps.js";
import type { AgentTags } from "../groups/tags.js";
import { afterCursor, agentsPage } from "./agents-page.js";
import { serve } from "./route.js";

/** What other stores know about each PC, shown in the agents list. */
export interface AgentExtras {
  /** IPv4 addresses per PC, from network inventory. */
  addresses?: () => Promise<ReadonlyMap<string, readonly string[]>>;
  /** The newest host perf sample of a PC. */
  latestPerf?: (pcId: string) => HostPerf | undefined;
  /** Operator-set tags (KV mirror, and the SQLite projection for `?tag=`). */
  tags?: Pick<AgentTags, "cached" | "pcsWith">;
}

function toSummary(a: AgentRecord, groups: string[] | undefined, now: Date, addresses: readonly string[] | undefined, perf: HostPerf | undefined, tags: Record<string, string> | undefined): AgentSummary {
  return {
    pc_id: a.pc_id,
    online: isOnline(a, now),
    hostname: a.hostname,
    os_family: a.os_family,
    os_version: a.os_version,
    agent_version: a.agent_version,
    // KV membership is the truth; the heartbeat's copy is only a fallback until the mirror has it.
    groups: groups ?? a.groups,
    tags: tags ?? {},
    last_seen: a.last_seen,
    agent_rss_bytes: a.agent_rss_bytes,
    agent_cpu_pct: a.agent_cpu_pct,
    heartbeat_interval_secs: a.heartbeat_interval_secs ?? DEFAULT_HEARTBEAT_SECS,
    logged_in_user: a.logged_in_user,
    client_version: a.client_version,
    ip_addresses: [...(addresses ?? [])],
    cpu_pct: perf?.cpu_pct ?? null,
    mem_used_bytes: perf?.mem_used_bytes ?? null,
    mem_total_bytes: perf?.mem_total_bytes ?? null,
    perf_at: perf?.at ?? null,
  };
}

/** `key=value` or `key`: the PCs with that tag, from the SQLite projection (none when tags are not kept). */
function tagFilter(tag: string, tags: Pick<AgentTags, "pcsWith"> | undefined): Set<string> {
  const eq = tag.indexOf("=");
  if (!tags) return new Set();
  return eq < 0 ? tags.pcsWith(tag) : tags.pcsWith(tag.slice(0, eq), tag.slice(eq + 1));
}

/** `onForget` lets feature stores drop what they know about a decommissioned PC (inventory, facts). */
export function agentRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  hooks: { onForget?: (pcId: string) => void | Promise<void> } & AgentExtras = {},
): void {
  const summaries = async (records: readonly AgentRecord[]): Promise<AgentSummary[]> => {
    const now = deps.clock();
    const addresses = (await hooks.addresses?.()) ?? new Map<string, readonly string[]>();
    return records.map((a) => toSummary(a, deps.groups.cached(a.pc_id), now, addresses.get(a.pc_id), hooks.latestPerf?.(a.pc_id), hooks.tags?.cached(a.pc_id)));
  };

  serve(app, "listAgents", async ({ query }, ctx) => {
    // Long-gone PCs leave the list, not the history: their results, executions and `agent show` stay.
    const tagged = query.tag === undefined ? undefined : tagFilter(query.tag, hooks.tags);
    const hideBefore = deps.hideAgentsAfterMs === undefined || query.include_hidden === true ? undefined : deps.clock().getTime() - deps.hideAgentsAfterMs;
    // What only a summary can tell (online is judged against the clock, groups from the KV mirror, text in every field).
    const jsFilters = query.online !== undefined || query.group !== undefined || query.q !== undefined;
    const keep = (a: AgentSummary): boolean =>
      (query.online === undefined || a.online === query.online) &&
      (query.group === undefined || a.groups.includes(query.group)) &&
      (query.q === undefined || agentMatches(a, query.q));
    if (query.limit === undefined) {
      // The whole list (the web UI and the CLI read it so).
      const items = (await summaries(await deps.agents.listAgents())).filter(
        (a) => (hideBefore === undefined || a.last_seen === null || Date.parse(a.last_seen) >= hideBefore) && (tagged === undefined || tagged.has(a.pc_id)) && keep(a),
      );
      return { items, next_cursor: null };
    }
    const after = afterCursor(query.cursor);
    // A scoped caller's page is read from its PCs only, so it is full (the answer filter stays as a backstop).
    const scope = ctx.caller.scope?.pcs();
    const inPcs = tagged === undefined ? scope : scope === undefined ? [...tagged] : scope.filter((pc) => tagged.has(pc));
    return agentsPage({
      read: (q) => deps.agents.pageAgents(q),
      summarize: summaries,
      ...(jsFilters ? { keep } : {}),
      limit: query.limit,
      ...(after !== undefined ? { after } : {}),
      sql: { ...(hideBefore !== undefined ? { seenSince: new Date(hideBefore).toISOString() } : {}), ...(inPcs ? { inPcs } : {}) },
    });
  });

  // The dashboard's figures: the same agents `GET /api/agents` lists (hidden ones left out, a scoped caller's
  // only), counted in the database rather than read whole (about 1 s of the backend's time at 50,000).
  serve(app, "getFleetSummary", async (_req, ctx) => {
    const hideBefore = deps.hideAgentsAfterMs === undefined ? undefined : deps.clock().getTime() - deps.hideAgentsAfterMs;
    const scope = ctx.caller.scope?.pcs();
    const { total, online } = await deps.agents.countOnline({
      now: deps.clock(),
      ...(hideBefore !== undefined ? { seenSince: new Date(hideBefore).toISOString() } : {}),
      ...(scope ? { inPcs: scope } : {}),
    });
    return { agents: { total, online, offline: total - online } };
  });

  serve(app, "getAgent", async ({ params }) => {
    const a = await deps.agents.getAgent(params.pc);
    if (!a) throw new KanadeError("AGENT_NOT_FOUND", `No agent "${params.pc}" has sent a heartbeat`);
    const [summary] = await summaries([a]);
    return {
      ...summary!,
      boot_time: a.boot_time,
      logged_in_user: a.logged_in_user,
      quarantined_versions: a.quarantined_versions,
    };
  });

  serve(app, "deleteAgent", async ({ params }, ctx) => {
    const pc = params.pc;
    await deps.auditLog.around(ctx.caller, { action: "agent.delete", target: pc }, async () => {
      if (!(await deps.agents.deleteAgent(pc))) throw new KanadeError("AGENT_NOT_FOUND", `No agent "${pc}"`);
      await hooks.onForget?.(pc);
    });
    ctx.req.log.info({ pc_id: pc }, "agent removed");
    return { pc_id: pc, deleted: true as const };
  });
}
