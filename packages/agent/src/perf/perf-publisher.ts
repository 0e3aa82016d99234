/**
 * Publishes HostPerf on `host_perf.<pc>` every `host_perf_interval`, and on `agents.<pc>.perf.live`
 * streams host + process perf at the asked cadence until the lease the backend keeps renewing ends.
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { PERF_TOP_N, perfLiveRequestSchema, subjects, type PerfLiveReply, type ProcessPerf } from "@kanade/protocol/wire";
import { safeJson } from "../safe-json.js";
import { Ticker } from "../ticker.js";
import { HostSampler } from "./host-sampler.js";
import { topProcesses, type PerfSource } from "./perf-source.js";

export interface PerfPublisherDeps {
  nc: NatsConnection;
  pcId: string;
  log: Logger;
  source: PerfSource;
  intervalMs: number;
  now?: () => number;
}

export class PerfPublisher {
  private readonly periodic: Ticker;
  private readonly periodicSampler: HostSampler;
  private readonly liveSampler: HostSampler;
  private readonly now: () => number;
  private sub: Subscription | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private leaseUntil = 0;
  private liveBusy = false;

  constructor(private readonly deps: PerfPublisherDeps) {
    this.now = deps.now ?? Date.now;
    this.periodicSampler = new HostSampler(deps.pcId, deps.source, this.now);
    this.liveSampler = new HostSampler(deps.pcId, deps.source, this.now);
    this.periodic = new Ticker(deps.intervalMs, () => void this.publishPeriodic());
  }

  get intervalMs(): number {
    return this.periodic.period;
  }

  async start(): Promise<void> {
    await this.periodicSampler.prime();
    this.sub = this.deps.nc.subscribe(subjects.agentPerfLive(this.deps.pcId), {
      callback: (err, msg) => {
        if (err) return this.deps.log.warn({ err }, "perf.live subscription error");
        const r = perfLiveRequestSchema.safeParse(safeJson(msg.data));
        if (!r.success) {
          this.deps.log.warn({ problem: r.error.message }, "ignoring invalid perf.live request");
          return;
        }
        this.leaseUntil = Math.max(this.leaseUntil, this.now() + r.data.lease_ms);
        const reply: PerfLiveReply = { pc_id: this.deps.pcId, lease_until: new Date(this.leaseUntil).toISOString() };
        msg.respond(JSON.stringify(reply));
        this.startLive(r.data.interval_ms);
      },
    });
    this.periodic.start();
  }

  /** A new `host_perf_interval`: the next sample comes one new period from now. */
  setInterval(ms: number): void {
    this.periodic.setPeriod(ms);
  }

  isStreaming(): boolean {
    return this.liveTimer !== undefined;
  }

  stop(): void {
    this.periodic.stop();
    this.sub?.unsubscribe();
    this.stopLive();
    this.deps.source.close?.();
  }

  private async publishPeriodic(): Promise<void> {
    try {
      const sample = await this.periodicSampler.sample();
      this.publish(subjects.hostPerf(this.deps.pcId), sample);
    } catch (err) {
      this.deps.log.warn({ err }, "host perf sample failed");
    }
  }

  private startLive(intervalMs: number): void {
    if (this.liveTimer) return;
    this.deps.log.info({ interval_ms: intervalMs, lease_until: new Date(this.leaseUntil).toISOString() }, "live perf streaming started");
    void this.deps.source.processes().catch(() => []); // baseline for per-process CPU deltas
    void this.liveSampler.prime();
    this.liveTimer = setInterval(() => void this.liveTick(), intervalMs);
  }

  private stopLive(): void {
    if (!this.liveTimer) return;
    clearInterval(this.liveTimer);
    this.liveTimer = undefined;
    this.deps.log.info("live perf streaming stopped");
  }

  private async liveTick(): Promise<void> {
    if (this.now() >= this.leaseUntil) return this.stopLive();
    // A slow process listing must not pile up overlapping samples.
    if (this.liveBusy) return;
    this.liveBusy = true;
    try {
      const [host, procs] = await Promise.all([this.liveSampler.sample(), this.deps.source.processes()]);
      const perf: ProcessPerf = { pc_id: this.deps.pcId, at: host.at, top: topProcesses(procs, PERF_TOP_N) };
      this.publish(subjects.hostPerf(this.deps.pcId), host);
      this.publish(subjects.processPerf(this.deps.pcId), perf);
    } catch (err) {
      this.deps.log.warn({ err }, "live perf sample failed");
    } finally {
      this.liveBusy = false;
    }
  }

  private publish(subject: string, body: unknown): void {
    if (this.deps.nc.isClosed()) return;
    this.deps.nc.publish(subject, JSON.stringify(body));
  }
}
