/**
 * `GET /metrics` in Prometheus text format (prom-client, one registry per app): fleet and execution
 * gauges read from the DB at scrape time, API traffic by route, JetStream usage, process RSS/CPU.
 */
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { STREAMS } from "@kanade/protocol";
import { allAgentsInRanges } from "./agents/in-ranges.js";
import { isOnline } from "./agents/online.js";
import type { RouteDeps } from "./deps.js";
import { serve } from "./api/route.js";
import { jetstreamUsage } from "./jetstream-status.js";
import type { HeartbeatStats } from "./projector/heartbeats.js";
import { projectorLag } from "./projector/lag.js";
import { RESULTS_DURABLE } from "./projector/results.js";

/** Totals of the dynamic-group materializer since start. */
export type GroupMetrics = () => { evaluated: number; written: number; flushes: number; ms: number };

/** Totals since start that live in this backend's memory, not in the database. */
export interface ProcessTotals {
  groups?: GroupMetrics;
  heartbeats?: () => HeartbeatStats;
}

export function createMetricsRegistry(deps: RouteDeps, totals: ProcessTotals = {}): { registry: Registry; observe(method: string, route: string, status: number, secs: number): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const warn = (what: string) => (err: unknown): void => deps.log.warn({ err, metric: what }, "metric collection failed");

  new Gauge({
    name: "kanade_agents",
    help: "Known agents by state (online = a heartbeat within 3x its interval)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const now = deps.clock();
      const agents = await allAgentsInRanges(deps.agents);
      const online = agents.filter((a) => isOnline(a, now)).length;
      this.set({ state: "online" }, online);
      this.set({ state: "offline" }, agents.length - online);
    },
  });
  new Gauge({
    name: "kanade_executions",
    help: "Executions by stored state (pending_approval, running, killed, rejected, expired, failed_to_publish)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { state, n } of await deps.executions.countByState()) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "kanade_results",
    help: "Projected results by status",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { status, n } of await deps.results.countByStatus()) this.set({ status }, n);
    },
  });
  new Gauge({
    name: "kanade_audit_outbox_pending",
    help: "Audit records kept in the database because the broker has not taken them yet (0 when healthy)",
    registers: [registry],
    async collect() {
      this.set(await deps.auditLog.pending());
    },
  });
  new Gauge({
    name: "kanade_result_projection_lag",
    help: "Results in the RESULTS stream not yet projected into the database (consumer num_pending)",
    registers: [registry],
    async collect() {
      const info = await deps.nats.jsm.consumers.info(STREAMS.RESULTS, RESULTS_DURABLE).catch(warn("kanade_result_projection_lag"));
      if (info) this.set(info.num_pending + info.num_ack_pending);
    },
  });
  new Gauge({
    name: "kanade_projector_lag",
    help: "Messages each projector (results, started, inventory, audit) has not yet written to the database",
    labelNames: ["projector"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const l of await projectorLag(deps.nats)) if (l.pending !== null) this.set({ projector: l.projector }, l.pending);
    },
  });
  const streamBytes = new Gauge({ name: "kanade_jetstream_stream_bytes", help: "Bytes stored per JetStream stream", labelNames: ["stream"], registers: [registry] });
  new Gauge({
    name: "kanade_jetstream_stream_messages",
    help: "Messages stored per JetStream stream (KV buckets are KV_<name>, object stores OBJ_<name>)",
    labelNames: ["stream"],
    registers: [registry],
    async collect() {
      const usage = await jetstreamUsage(deps.nats).catch(warn("kanade_jetstream_stream_messages"));
      if (!usage) return;
      this.reset();
      streamBytes.reset();
      for (const u of usage) {
        const stream = u.kind === "kv" ? `KV_${u.name}` : u.kind === "object_store" ? `OBJ_${u.name}` : u.name;
        this.set({ stream }, u.messages);
        streamBytes.set({ stream }, u.bytes);
      }
    },
  });
  const groupMetrics = totals.groups;
  if (groupMetrics) {
    const total = (name: string, help: string, pick: (m: ReturnType<GroupMetrics>) => number): void =>
      void new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(pick(groupMetrics()));
        },
      });
    total("kanade_dynamic_groups_evaluations_total", "PCs evaluated against every dynamic group query", (m) => m.evaluated);
    total("kanade_dynamic_groups_writes_total", "agent_groups entries rewritten because a PC's dynamic groups changed", (m) => m.written);
    total("kanade_dynamic_groups_flushes_total", "Debounced evaluation rounds", (m) => m.flushes);
    total("kanade_dynamic_groups_seconds_total", "Time spent evaluating and writing dynamic groups", (m) => m.ms / 1000);
  }
  const heartbeatStats = totals.heartbeats;
  if (heartbeatStats) {
    new Counter({
      name: "kanade_heartbeats_received_total",
      help: "Heartbeats this backend projected; with several backends each heartbeat goes to one of them",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(heartbeatStats().received);
      },
    });
  }
  const requests = new Counter({
    name: "kanade_api_requests_total",
    help: "API requests by method, route pattern and status code",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "kanade_api_request_duration_seconds",
    help: "API request latency by method and route pattern",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe: (method, route, status, secs) => {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, secs);
    },
  };
}

export function registerMetrics(app: FastifyInstance, deps: RouteDeps, totals: ProcessTotals = {}): void {
  const metrics = createMetricsRegistry(deps, totals);
  app.addHook("onResponse", async (req, reply) => {
    // Route patterns, not URLs, so label cardinality stays bounded.
    metrics.observe(req.method, req.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });
  serve(app, "getMetrics", () => metrics.registry.metrics());
}
