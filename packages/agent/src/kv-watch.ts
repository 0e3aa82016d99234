/** Follows one KV bucket (optionally one key) and keeps retrying while the bucket is missing or the watch ends. */
import { Kvm, type KvWatchEntry } from "@nats-io/kv";
import type { NatsConnection, QueuedIterator } from "@nats-io/nats-core";
import type { Logger } from "pino";

/**
 * Open buckets for direct get: the key is then part of the request subject, so a broker that scopes
 * agents can let each read only the keys it needs (the backend makes every bucket allow it).
 */
export const DIRECT = { allow_direct: true } as const;

export interface BucketWatcherDeps {
  nc: NatsConnection;
  bucket: string;
  key?: string;
  log: Logger;
  /** value undefined = the key was deleted or purged. */
  onEntry(key: string, value: string | undefined): void;
  retryMs?: number;
}

export class BucketWatcher {
  private iter: QueuedIterator<KvWatchEntry> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** True while a watch is established. */
  live = false;
  private markSynced: () => void = () => undefined;
  /** Resolves once the first watch delivered every value the bucket held when it began. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.markSynced = resolve));

  constructor(private readonly deps: BucketWatcherDeps) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.iter?.stop();
    clearTimeout(this.retryTimer);
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const { nc, bucket, key, log } = this.deps;
    while (!this.stopped) {
      try {
        const kv = await new Kvm(nc).open(bucket);
        const iter = await kv.watch(key === undefined ? {} : { key });
        this.iter = iter;
        if (this.stopped) iter.stop();
        this.live = true;
        this.failures = 0;
        // An empty bucket delivers nothing; otherwise the last initial value arrives with delta 0.
        if ((await kv.status()).values === 0) this.markSynced();
        for await (const e of iter) {
          this.deps.onEntry(e.key, e.operation === "PUT" ? e.string() : undefined);
          if (e.delta === 0 || e.isUpdate) this.markSynced();
        }
      } catch (err) {
        // Usually the bucket does not exist yet: say so once, not every retry.
        if (!this.stopped && !nc.isClosed()) (this.failures++ === 0 ? log.warn.bind(log) : log.debug.bind(log))({ err, bucket }, "KV watch failed; retrying");
      }
      this.live = false;
      this.iter = undefined;
      if (this.stopped || nc.isClosed()) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.retryTimer = setTimeout(resolve, this.deps.retryMs ?? 5_000);
      });
    }
  }
}
