/**
 * Setting a rollout: `target_version` (and `target_version_jitter`) in the chosen
 * `agent_config` scopes — read-modify-write of each scope's JSON, so other fields stay. Refuses a
 * version with no build in `agent_releases`. Reading it: targets per scope and what
 * the fleet actually runs (from heartbeats).
 */
import type { FastifyInstance } from "fastify";
import { Kvm, type KV } from "@nats-io/kv";
import {
  BUCKETS,
  KanadeError,
  configKeys,
  configScopeSchema,
  type ConfigScope,
  type RolloutResponse,
  type RolloutStatus,
} from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { live } from "../jobs/catalog.js";
import { requireNats } from "../nats.js";
import { listReleases } from "./agent-releases.js";
import { serve } from "./route.js";

function parseScope(key: string, text: string): ConfigScope {
  const r = configScopeSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new KanadeError("CONFLICT", `agent_config ${key} holds an invalid scope; fix it with "kanade config" first`);
  return r.data;
}

/** One optimistic read-modify-write; a concurrent writer makes the second attempt see its change. */
async function patchScope(kv: KV, key: string, patch: ConfigScope): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const e = live(await kv.get(key));
    const next = JSON.stringify({ ...(e ? parseScope(key, e.string()) : {}), ...patch });
    try {
      if (e) await kv.update(key, next, e.revision);
      else await kv.create(key, next);
      return;
    } catch (err) {
      if (attempt >= 2 || !/wrong last sequence|already exists|key exists/i.test((err as Error).message)) throw err;
    }
  }
}

export function rolloutRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "setRollout", async ({ body }, ctx): Promise<RolloutResponse> => {
    requireNats(deps.nats);
    const builds = (await listReleases(deps)).filter((r) => r.version === body.version);
    if (builds.length === 0) {
      throw new KanadeError("RELEASE_NOT_PUBLISHED", `agent version "${body.version}" is not published; run "kanade agent publish <file>" first`);
    }
    const scopes = body.global ? [configKeys.global()] : body.groups ? body.groups.map(configKeys.group) : (body.pcs ?? []).map(configKeys.pc);
    const kv = await new Kvm(deps.nats.js).open(BUCKETS.agentConfig);
    const patch: ConfigScope = { target_version: body.version, ...(body.jitter ? { target_version_jitter: body.jitter } : {}) };
    const payload = { scopes, jitter: body.jitter ?? null, platforms: builds.map((b) => b.platform) };
    await deps.auditLog.around(ctx.caller, { action: "agent.rollout", target: body.version, payload }, async () => {
      for (const key of scopes) await patchScope(kv, key, patch);
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
