/** Layered agent config in KV `agent_config` (`global`, `groups.<g>`, `pcs.<pc_id>`; SPEC §3/§4). */
import { Kvm, type KV } from "@nats-io/kv";
import { BUCKETS, configKeys, configScopeSchema, resolveConfig, type ConfigScope, type EffectiveConfig } from "@kanade/protocol";
import type { Logger } from "pino";
import { live } from "./jobs/catalog.js";
import type { Nats } from "./nats.js";

export type ScopeRef = { kind: "global" } | { kind: "group"; name: string } | { kind: "pc"; name: string };

export const scopeKey = (s: ScopeRef): string =>
  s.kind === "global" ? configKeys.global() : s.kind === "group" ? configKeys.group(s.name) : configKeys.pc(s.name);

export interface ConfigScopes {
  get(scope: ScopeRef): Promise<ConfigScope>;
  /** Replaces the scope; an empty scope deletes the key. */
  put(scope: ScopeRef, value: ConfigScope): Promise<void>;
  /** Read-modify-write with compare-and-set, so two operators editing different fields both win. */
  update(scope: ScopeRef, change: (current: ConfigScope) => ConfigScope): Promise<ConfigScope>;
  remove(scope: ScopeRef): Promise<void>;
  effective(pcId: string, groups: readonly string[]): Promise<EffectiveConfig>;
}

export function openConfigScopes(nats: Nats, log: Logger): ConfigScopes {
  let opening: Promise<KV> | undefined;
  const kv = (): Promise<KV> => (opening ??= new Kvm(nats.js).open(BUCKETS.agentConfig));

  const read = async (key: string): Promise<{ scope: ConfigScope; revision: number }> => {
    const e = live(await (await kv()).get(key));
    if (!e) return { scope: {}, revision: 0 };
    const r = configScopeSchema.safeParse(safeJson(e.string()));
    if (!r.success) {
      // A hand-edited entry the agents also ignore; show it as empty rather than failing the route.
      log.warn({ key, problem: r.error.message }, "agent_config entry is invalid; treating it as empty");
      return { scope: {}, revision: e.revision };
    }
    return { scope: r.data, revision: e.revision };
  };
  const write = async (key: string, scope: ConfigScope, revision?: number): Promise<void> => {
    const bucket = await kv();
    if (Object.keys(scope).length === 0) {
      await bucket.delete(key, revision ? { previousSeq: revision } : undefined);
      return;
    }
    const body = JSON.stringify(scope);
    if (revision === undefined) await bucket.put(key, body);
    else if (revision === 0) await bucket.create(key, body);
    else await bucket.update(key, body, revision);
  };

  return {
    get: async (scope) => (await read(scopeKey(scope))).scope,
    put: (scope, value) => write(scopeKey(scope), value),
    update: async (scope, change) => {
      const key = scopeKey(scope);
      for (let attempt = 0; ; attempt++) {
        const { scope: current, revision } = await read(key);
        const next = change(current);
        try {
          await write(key, next, revision);
          return next;
        } catch (err) {
          if (attempt >= 3) throw err;
          log.debug({ key, err }, "agent_config changed concurrently; retrying");
        }
      }
    },
    remove: async (scope) => {
      await (await kv()).delete(scopeKey(scope));
    },
    effective: async (pcId, groups) => {
      const [global, pc, ...groupScopes] = await Promise.all([
        read(configKeys.global()),
        read(configKeys.pc(pcId)),
        ...groups.map((g) => read(configKeys.group(g))),
      ]);
      const byGroup: Record<string, ConfigScope> = {};
      groups.forEach((g, i) => (byGroup[g] = groupScopes[i]!.scope));
      return resolveConfig({ global: global!.scope, groups: byGroup, pc: pc!.scope }, groups, pcId);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return { not_json: (err as Error).message };
  }
}
