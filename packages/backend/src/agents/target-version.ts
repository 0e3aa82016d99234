/**
 * Writes `target_version` (and `target_version_jitter`) into `agent_config` scopes — a read-modify-write of each
 * scope's JSON, so other fields stay. Used by `POST /api/agent-rollout` and by agent-update rollout waves.
 */
import { Kvm, type KV } from "@nats-io/kv";
import { BUCKETS, KanadeError, configScopeSchema, type ConfigScope } from "@kanade/protocol";
import { live } from "../jobs/catalog.js";
import type { Nats } from "../nats.js";

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

/** Sets the target version (and jitter, when given) on each scope key. */
export async function setTargetVersion(nats: Nats, scopes: readonly string[], version: string, jitter?: string): Promise<void> {
  const kv = await new Kvm(nats.js).open(BUCKETS.agentConfig);
  const patch: ConfigScope = { target_version: version, ...(jitter ? { target_version_jitter: jitter } : {}) };
  for (const key of scopes) await patchScope(kv, key, patch);
}
