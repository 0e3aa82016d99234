/**
 * Setting a rollout: `target_version` (and `target_version_jitter`) in the chosen
 * `agent_config` scopes (see agents/target-version.ts). Refuses a
 * version with no build in `agent_releases`. Reading it: targets per scope and what
 * the fleet actually runs (from heartbeats).
 */
import type { FastifyInstance } from "fastify";
import { Kvm } from "@nats-io/kv";
import { BUCKETS, KanadeError, configKeys, configScopeSchema, type RolloutResponse, type RolloutStatus } from "@kanade/protocol";
import { setTargetVersion } from "../agents/target-version.js";
import type { RouteDeps } from "../deps.js";
import { live } from "../jobs/catalog.js";
import { requireNats } from "../nats.js";
import { listReleases } from "./agent-releases.js";
import { serve } from "./route.js";

export function rolloutRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "setRollout", async ({ body }, ctx): Promise<RolloutResponse> => {
    requireNats(deps.nats);
    const builds = (await listReleases(deps)).filter((r) => r.version === body.version);
    if (builds.length === 0) {
      throw new KanadeError("RELEASE_NOT_PUBLISHED", `agent version "${body.version}" is not published; run "kanade agent publish <file>" first`);
    }
    const scopes = body.global ? [configKeys.global()] : body.groups ? body.groups.map(configKeys.group) : (body.pcs ?? []).map(configKeys.pc);
    const payload = { scopes, jitter: body.jitter ?? null, platforms: builds.map((b) => b.platform) };
    await deps.auditLog.around(ctx.caller, { action: "agent.rollout", target: body.version, payload }, async () => {
      await setTargetVersion(deps.nats, scopes, body.version, body.jitter);
    });
    ctx.req.log.info({ version: body.version, scopes, jitter: body.jitter }, "agent rollout set");
    return { version: body.version, scopes, jitter: body.jitter ?? null };
  });

  serve(app, "getRollout", async (): Promise<RolloutStatus> => {
    requireNats(deps.nats);
    const kv = await new Kvm(deps.nats.js).open(BUCKETS.agentConfig);
    const scopes: RolloutStatus["scopes"] = [];
    for await (const key of await kv.keys()) {
      const e = live(await kv.get(key));
      if (!e) continue;
      const r = configScopeSchema.safeParse(JSON.parse(e.string()));
      if (r.success && r.data.target_version) {
        scopes.push({ scope: key, target_version: r.data.target_version, target_version_jitter: r.data.target_version_jitter ?? null });
      }
    }
    // global first, then groups, then pcs: the order in which they are overridden.
    const rank = (s: string): number => (s === "global" ? 0 : s.startsWith("groups.") ? 1 : 2);
    scopes.sort((a, b) => rank(a.scope) - rank(b.scope) || a.scope.localeCompare(b.scope));
    const counts = new Map<string, number>();
    const quarantined: RolloutStatus["quarantined"] = [];
    for (const a of await deps.agents.listAgents()) {
      counts.set(a.agent_version, (counts.get(a.agent_version) ?? 0) + 1);
      if (a.quarantined_versions.length > 0) quarantined.push({ pc_id: a.pc_id, versions: a.quarantined_versions });
    }
    const running = [...counts].map(([agent_version, count]) => ({ agent_version, count })).sort((a, b) => b.count - a.count || a.agent_version.localeCompare(b.agent_version));
    return { scopes, running, quarantined };
  });
}
