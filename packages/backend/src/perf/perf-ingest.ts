/**
 * Core `host_perf.*` → validated samples: batched into SQLite, kept as a latest-per-PC map for the
 * fleet view, coalesced into at most one batch a second for fleet WebSocket viewers, and handed to
 * per-PC live viewers as they arrive. Old samples are pruned on a timer.
 */
import { hostPerfSchema, sortFleet, subjects, type FleetPerfSort, type HostPerf } from "@kanade/protocol";
import type { Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import type { PerfStore } from "../db/perf-store.js";
import type { Nats } from "../nats.js";
import { decodeJson } from "./decode.js";

const FLUSH_MS = 1_000;
const FLUSH_MAX = 2_000;
const FLEET_BATCH_MS = 1_000;
/** How far back the fleet view is seeded from SQLite when the backend starts. */
const SEED_WINDOW_MS = 60 * 60_000;

export type FleetListener = (batch: readonly HostPerf[]) => void;

export interface PerfIngestDeps {
  nats: Nats;
  store: PerfStore;
  log: Logger;
  retentionMs: number;
  now?: () => number;
}


export class PerfIngest {
  private readonly latest = new Map<string, HostPerf>();
  private readonly fleetListeners = new Set<FleetListener>();
  private readonly pcListeners = new Map<string, Set<(s: HostPerf) => void>>();
  private pending: HostPerf[] = [];
  private fleetPending = new Map<string, HostPerf>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly fleetTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly sub: Subscription;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Samples received since start (the bench reads it through /metrics-like logs). */
  received = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PerfIngestDeps) {
    this.log = deps.log.child({ component: "perf-ingest" });
    this.now = deps.now ?? Date.now;
    this.sub = deps.nats.nc.subscribe(subjects.hostPerfAll(), {
      callback: (err, msg) => {
        if (err) return this.log.warn({ err }, "host_perf subscription error");
        const sample = decodeJson(hostPerfSchema, msg.data, msg.subject, this.log);
        if (!sample) return;
        if (msg.subject !== subjects.hostPerf(sample.pc_id)) {
          return this.log.warn({ subject: msg.subject, pc_id: sample.pc_id }, "dropping host_perf whose pc_id does not match its subject");
        }
        this.accept(sample);
      },
    });
    this.fleetTimer = setInterval(() => this.emitFleet(), FLEET_BATCH_MS);
    this.fleetTimer.unref();
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), Math.min(60 * 60_000, Math.max(10_000, deps.retentionMs / 10)));
    this.pruneTimer.unref();
  }

  /** Latest sample of each PC, hottest first by `sort`. */
  fleet(sort: FleetPerfSort, limit: number): HostPerf[] {
    return sortFleet(this.latest.values(), sort).slice(0, limit);
  }

  /** The newest sample of one PC, if any was seen. */
  latestOf(pcId: string): HostPerf | undefined {
    return this.latest.get(pcId);
  }

  fleetSize(): number {
    return this.latest.size;
  }

  onFleet(listener: FleetListener): () => void {
    this.fleetListeners.add(listener);
    return () => this.fleetListeners.delete(listener);
  }

  /** Calls `listener` with every sample of one PC as it arrives. */
  onPc(pcId: string, listener: (s: HostPerf) => void): () => void {
    const set = this.pcListeners.get(pcId) ?? new Set();
    set.add(listener);
    this.pcListeners.set(pcId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.pcListeners.delete(pcId);
    };
  }

  /** Seeds the fleet view with each PC's newest stored sample (call once, right after construction). */
  async seed(): Promise<void> {
    for (const s of await this.deps.store.latestPerPc(this.now() - SEED_WINDOW_MS)) {
      if (!this.latest.has(s.pc_id)) this.latest.set(s.pc_id, s);
    }
  }

  async since(pcId: string, sinceMs: number, limit: number): Promise<HostPerf[]> {
    await this.flush();
    return this.deps.store.since(pcId, sinceMs, limit);
  }

  forget(pcId: string): void {
    this.latest.delete(pcId);
  }

  async stop(): Promise<void> {
    this.sub.unsubscribe();
    clearInterval(this.fleetTimer);
    clearInterval(this.pruneTimer);
    this.fleetListeners.clear();
    this.pcListeners.clear();
    await this.flush();
  }

  private accept(sample: HostPerf): void {
    this.received += 1;
    const prev = this.latest.get(sample.pc_id);
    if (!prev || Date.parse(prev.at) <= Date.parse(sample.at)) this.latest.set(sample.pc_id, sample);
    this.pending.push(sample);
    if (this.fleetListeners.size > 0) this.fleetPending.set(sample.pc_id, sample);
    for (const l of this.pcListeners.get(sample.pc_id) ?? []) l(sample);
    if (this.pending.length >= FLUSH_MAX) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered; writes run one after another, and the promise covers every earlier one. */
  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return this.writing;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing
      .then(() => this.deps.store.insert(batch))
      .catch((err: unknown) => this.log.error({ err, count: batch.length }, "cannot store host perf samples"));
    return this.writing;
  }

  private emitFleet(): void {
    if (this.fleetPending.size === 0) return;
    const batch = [...this.fleetPending.values()];
    this.fleetPending = new Map();
    for (const l of this.fleetListeners) l(batch);
  }

  private prune(): void {
    this.deps.store
      .prune(this.now() - this.deps.retentionMs)
      .then((removed) => {
        if (removed > 0) this.log.info({ removed }, "pruned old host perf samples");
      })
      .catch((err: unknown) => this.log.error({ err }, "cannot prune host perf samples"));
  }
}
