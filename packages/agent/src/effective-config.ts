/**
 * The agent's live view of its layered config (SPEC §4): watches `agent_config` (global, the groups
 * it is in, its own pcs.<pc_id>) and re-resolves when a scope or its group membership changes.
 * Modules that depend on a setting (heartbeat, perf, inventory, self-update) subscribe to changes.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { BUCKETS, configKeys, configScopeSchema, resolveConfig, type ConfigScope, type EffectiveConfig } from "@kanade/protocol/wire";
import { BucketWatcher } from "./kv-watch.js";

export type ConfigListener = (config: EffectiveConfig, previous: EffectiveConfig) => void;

export interface EffectiveConfigDeps {
  nc: NatsConnection;
  pcId: string;
  log: Logger;
  /** The PC's current groups (from `agent_groups`). */
  groups(): readonly string[];
}

export class EffectiveConfigView {
  private readonly scopes = new Map<string, ConfigScope>();
  private readonly listeners = new Set<ConfigListener>();
  private readonly watcher: BucketWatcher;
  private resolved: EffectiveConfig;
  private resolvedJson: string;
  private synced = false;

  constructor(private readonly deps: EffectiveConfigDeps) {
    this.resolved = resolveConfig({}, [], deps.pcId);
    this.resolvedJson = JSON.stringify(this.resolved);
    this.watcher = new BucketWatcher({
      nc: deps.nc,
      bucket: BUCKETS.agentConfig,
      log: deps.log,
      onEntry: (key, value) => this.onEntry(key, value),
    });
  }

  start(): void {
    this.watcher.start();
    // Until the bucket's existing scopes are all read, a half-read state (global, but not yet the
    // group that overrides it) must not reach listeners: the updater would act on the wrong target.
    void this.watcher.synced.then(() => {
      this.synced = true;
      this.recompute();
    });
  }

  /** Resolves true once the existing scopes were read (false after `timeoutMs`). */
  async ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.watcher.synced.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    this.watcher.stop();
    this.listeners.clear();
  }

  current(): EffectiveConfig {
    return this.resolved;
  }

  /** Calls `listener` on every change of the effective config; returns the unsubscribe function. */
  subscribe(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Group membership changed: the set of consulted group scopes changed with it. */
  groupsChanged(): void {
    if (this.synced) this.recompute();
  }

  private onEntry(key: string, value: string | undefined): void {
    // Other PCs' scopes are none of this agent's business; don't hold thousands of them.
    if (key.startsWith("pcs.") && key !== configKeys.pc(this.deps.pcId)) return;
    if (value === undefined) {
      this.scopes.delete(key);
    } else {
      const parsed = parseScope(value);
      if (!parsed.ok) {
        this.deps.log.warn({ key, problem: parsed.problem }, "ignoring invalid agent_config scope");
        this.scopes.delete(key);
      } else {
        this.scopes.set(key, parsed.scope);
      }
    }
    if (this.synced) this.recompute();
  }

  private recompute(): void {
    const groups: Record<string, ConfigScope> = {};
    for (const g of this.deps.groups()) {
      const scope = this.scopes.get(configKeys.group(g));
      if (scope) groups[g] = scope;
    }
    const next = resolveConfig(
      { global: this.scopes.get(configKeys.global()), groups, pc: this.scopes.get(configKeys.pc(this.deps.pcId)) },
      this.deps.groups(),
      this.deps.pcId,
    );
    const json = JSON.stringify(next);
    if (json === this.resolvedJson) return;
    const previous = this.resolved;
    this.resolved = next;
    this.resolvedJson = json;
    for (const c of next.conflicts) {
      this.deps.log.warn({ field: c.field, groups: c.groups, winner: c.winner }, "config field set by several groups");
    }
    for (const l of this.listeners) {
      try {
        l(next, previous);
      } catch (err) {
        this.deps.log.error({ err }, "config listener failed");
      }
    }
  }
}

export function parseScope(value: string): { ok: true; scope: ConfigScope } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    return { ok: false, problem: `not JSON: ${(err as Error).message}` };
  }
  const r = configScopeSchema.safeParse(json);
  if (r.success) return { ok: true, scope: r.data };
  return { ok: false, problem: r.error.issues.map((i) => `${i.path.join(".") || "(scope)"}: ${i.message}`).join("; ") };
}
