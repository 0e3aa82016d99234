/** In-memory view of `script_status` and `script_current`, fed by KV watches, read by the gates. */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { BUCKETS } from "@kanade/protocol/wire";
import type { ScriptFacts } from "./gates.js";
import { BucketWatcher, DIRECT } from "./kv-watch.js";

export class ScriptStateView {
  private readonly status = new Map<string, string>();
  private readonly current = new Map<string, string>();
  private readonly watchers: BucketWatcher[];
  private lastLiveAt: number | undefined;

  constructor(private readonly deps: { nc: NatsConnection; log: Logger; isConnected: () => boolean; now?: () => number }) {
    const watch = (bucket: string, into: Map<string, string>): BucketWatcher =>
      new BucketWatcher({
        nc: deps.nc,
        bucket,
        log: deps.log,
        onEntry: (key, value) => (value === undefined ? into.delete(key) : into.set(key, plainText(value))),
      });
    this.watchers = [watch(BUCKETS.scriptStatus, this.status), watch(BUCKETS.scriptCurrent, this.current)];
  }

  start(): void {
    for (const w of this.watchers) w.start();
  }

  stop(): void {
    for (const w of this.watchers) w.stop();
  }

  /**
   * Resolves once both buckets were read in full, or after `timeoutMs` (the broker may lack the buckets):
   * a command replayed at startup must meet a revoke or pin the agent has not watched yet.
   */
  async ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const synced = Promise.all(this.watchers.map((w) => w.synced)).then(() => true);
    try {
      return await Promise.race([synced, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads one job's entries straight from the buckets. The backend writes `script_current` before it
   * publishes a command, but a watch can deliver that write after the command arrives: a version that
   * looks stale is confirmed here before the agent refuses it.
   */
  async refresh(jobId: string): Promise<void> {
    const kvm = new Kvm(this.deps.nc);
    for (const [bucket, into] of [[BUCKETS.scriptStatus, this.status], [BUCKETS.scriptCurrent, this.current]] as const) {
      const entry = await (await kvm.open(bucket, DIRECT)).get(jobId);
      if (entry && entry.operation === "PUT") into.set(jobId, plainText(entry.string()));
      else if (entry) into.delete(jobId);
    }
  }

  facts(jobId: string): ScriptFacts {
    const facts: ScriptFacts = {};
    const status = this.status.get(jobId);
    const current = this.current.get(jobId);
    if (status !== undefined) facts.status = status;
    if (current !== undefined) facts.current = current;
    return facts;
  }

  /** 0 while both watches are live on a connected client; otherwise time since they last were. */
  cacheAgeMs(): number | undefined {
    const now = (this.deps.now ?? Date.now)();
    const live = this.deps.isConnected() && this.watchers.every((w) => w.live);
    if (live) this.lastLiveAt = now;
    return this.lastLiveAt === undefined ? undefined : now - this.lastLiveAt;
  }

  /** Called on disconnect: the cache was current up to now. */
  markDisconnected(): void {
    if (this.watchers.every((w) => w.live)) this.lastLiveAt = (this.deps.now ?? Date.now)();
  }
}

/** Values are plain text (`REVOKED`, `1.2.0`); tolerate a JSON-quoted string written by another tool. */
export function plainText(value: string): string {
  const t = value.trim();
  if (!t.startsWith('"')) return t;
  try {
    const parsed: unknown = JSON.parse(t);
    return typeof parsed === "string" ? parsed : t;
  } catch (err) {
    // Not JSON after all (e.g. a lone quote): the raw text is the best we have.
    void err;
    return t;
  }
}
