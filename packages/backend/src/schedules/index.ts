/**
 * The schedules use case: schedule definitions (KV `schedules`), their fires (SQLite, one unique row per
 * occurrence), preview, status and coverage, and the firing loop (engine.ts). Every change is audited.
 */
import {
  KanadeError,
  blockedAt,
  fireRules,
  parseScheduleYaml,
  planFires,
  resolveZone,
  validateSchedule,
  type CoverageRow,
  type ExecRequest,
  type ListResponse,
  type Manifest,
  type Schedule,
  type ScheduleCoverage,
  type ScheduleDetail,
  type SchedulePreview,
  type ScheduleStatus,
  type ScheduleSummary,
  type ScheduleTarget,
  type StoredSchedule,
} from "@kanade/protocol";
import type { Logger } from "pino";
import YAML from "yaml";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import type { Executions } from "../executions/index.js";
import type { ScheduleDefs } from "./defs.js";
import { createEngine, targetRequest, type Engine } from "./engine.js";
import type { OrderPublisher } from "./orders.js";
import type { FiresStore, PcFireState } from "./fires-store.js";
import { countStates, coverageRow, kindOf, newer, ruleText } from "./view.js";

export interface SchedulesDeps {
  defs: ScheduleDefs;
  fires: FiresStore;
  executions: Pick<Executions, "start" | "kill" | "recordAgentFired">;
  /** Starts a schedule fire's rollout under the given id (the schedule's `rollout:` waves). */
  startRollout(caller: Caller, schedule: Schedule, rolloutId: string): Promise<void>;
  /** The executions of a rollout's waves, or undefined when the id is not a rollout. */
  rolloutExecs(id: string): string[] | undefined;
  execExists(execId: string): Promise<boolean>;
  /** Removes an execution's commands still queued in EXEC (disable --cascade). */
  withdraw(execId: string): Promise<void>;
  jobs: { get(id: string): Promise<Manifest | undefined> };
  resolveTargets(target: ScheduleTarget): Promise<string[]>;
  /** Online state per known agent (unknown PCs are absent). */
  online(): Promise<Map<string, boolean>>;
  /** Why no schedule may fire right now (a fleet freeze), or undefined. */
  held(): Promise<string | undefined>;
  /** Keeps the standing orders of `runs_on: agent` schedules in `schedule_orders`; without it none is published. */
  orders?: OrderPublisher;
  /** See EngineDeps.resendAfterMs. */
  resendAfterMs?: number;
  audit: Pick<Audit, "around">;
  log: Logger;
  clock: () => Date;
}

export interface Schedules {
  /** Creates or replaces a schedule from YAML text or an already-parsed document. */
  create(caller: Caller, body: unknown): Promise<{ id: string; job: string; enabled: boolean; created: boolean }>;
  list(): Promise<ListResponse<ScheduleSummary>>;
  get(id: string): Promise<ScheduleDetail>;
  exportYaml(id: string): Promise<string>;
  remove(caller: Caller, id: string): Promise<void>;
  setEnabled(caller: Caller, id: string, enabled: boolean, opts?: { cascade?: boolean; cascadeKill?: boolean }): Promise<{ withdrawn: string[]; killed: string[] }>;
  preview(id: string, count: number): Promise<SchedulePreview>;
  previewYaml(body: unknown, count: number): SchedulePreview;
  status(id: string): Promise<ScheduleStatus>;
  coverage(id: string): Promise<ScheduleCoverage>;
  engine: Engine;
  /** Ticks the firing loop every `tickMs` (each tick after the previous one ended); answers a stop function. */
  startBackground(opts: { tickMs: number }): () => void;
}

const invalid = (issues: readonly { path: string; message: string }[]): KanadeError =>
  new KanadeError("INVALID_SCHEDULE", `The schedule is invalid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, {
    details: [...issues],
  });

function parseBody(body: unknown): { schedule: Schedule; yaml: string } {
  const isYaml = typeof body === "string";
  const r = isYaml ? parseScheduleYaml(body) : validateSchedule(body);
  if (!r.ok) throw invalid(r.issues);
  return { schedule: r.schedule, yaml: isYaml ? body : YAML.stringify(body) };
}

/** The submitted YAML with `enabled` set as it is now; comments and layout kept. */
function yamlWithEnabled(yaml: string, enabled: boolean): string {
  const doc = YAML.parseDocument(yaml);
  doc.set("enabled", enabled);
  return String(doc);
}

const ORPHAN_SWEEP_TICKS = 20;
const iso = (ms: number): string => new Date(ms).toISOString();
const scheduleCaller = (s: Schedule): Caller => ({ actor: `schedule:${s.id}`, role: "operator", sourceIp: null });

export function createSchedules(deps: SchedulesDeps): Schedules {
  const { defs, fires } = deps;
  const mustGet = async (id: string): Promise<StoredSchedule> => {
    const s = await defs.get(id);
    if (!s) throw new KanadeError("SCHEDULE_NOT_FOUND", `No schedule "${id}"`);
    return s;
  };
  const nextFire = (s: Schedule, nowMs: number): string | null => {
    const f = planFires(s, nowMs, 1)[0];
    return f ? iso(f.fire_at) : null;
  };
  const summary = (s: Schedule, nowMs: number): ScheduleSummary => ({
    id: s.id,
    job: s.job,
    description: s.description ?? null,
    enabled: s.enabled,
    runs_on: s.runs_on,
    kind: kindOf(s),
    rule: ruleText(s),
    next_fire_at: s.enabled ? nextFire(s, nowMs) : null,
    last_fired_at: fires.recentFires(s.id, 1)[0]?.fired_at ?? null,
  });
  const previewOf = (s: Schedule, count: number, nowMs: number): SchedulePreview => ({
    id: s.id,
    // The zone's name (a plan keeps `local` as such; the preview names the backend host's zone).
    zone: resolveZone(s.when.tz),
    per_pc: s.when.per_pc !== undefined,
    fires: planFires(s, nowMs, count).map((f) => ({ occurrence: iso(f.occurrence), fire_at: iso(f.fire_at) })),
  });

  const coverageRows = async (s: Schedule): Promise<CoverageRow[]> => {
    const [pcs, online] = await Promise.all([deps.resolveTargets(s.target), deps.online()]);
    const own = new Map(fires.pcStates(s.id).map((p) => [p.pc_id, p]));
    const whole = fires.lastWholeFire(s.id);
    const wholeExecs = whole?.exec_id ? (deps.rolloutExecs(whole.exec_id) ?? [whole.exec_id]) : [];
    const fromWhole = new Map<string, PcFireState>(wholeExecs.flatMap((e) => fires.execStates(e)).map((p) => [p.pc_id, p]));
    return pcs.map((pc) => coverageRow(pc, newer(own.get(pc), fromWhole.get(pc)), online.get(pc)));
  };

  /** Brings the standing orders in line with the schedules; a failure is logged and the next tick retries. */
  const syncOrders = async (): Promise<void> => {
    await deps.orders?.sync(defs.all()).catch((err: unknown) => deps.log.warn({ err }, "standing orders not synced yet; retrying on the next tick"));
  };
  const engine = createEngine({
    fires,
    schedules: () => defs.all().map((v) => ({ schedule: v.schedule, since: v.since !== undefined ? Date.parse(v.since) : 0 })),
    jobVersion: async (jobId) => (await deps.jobs.get(jobId))?.version,
    resolveTargets: deps.resolveTargets,
    launch: async (s: Schedule, execId: string, request: ExecRequest) => {
      await deps.executions.start(scheduleCaller(s), s.job, request, { execId });
    },
    launchRollout: (s, rolloutId) => deps.startRollout(scheduleCaller(s), s, rolloutId),
    recordAgentFired: async (s, execId, occurrence) => {
      await deps.executions.recordAgentFired(scheduleCaller(s), s.job, targetRequest(s.target), { execId, scheduleId: s.id, occurrence });
    },
    execExists: deps.execExists,
    held: deps.held,
    ...(deps.resendAfterMs !== undefined ? { resendAfterMs: deps.resendAfterMs } : {}),
    log: deps.log,
    clock: deps.clock,
  });

  return {
    create: async (caller, body) => {
      const { schedule, yaml } = parseBody(body);
      const job = await deps.jobs.get(schedule.job);
      if (!job) throw invalid([{ path: "job", message: `no job "${schedule.job}" in the catalog; create it first` }]);
      if (schedule.runs_on === "agent" && job.require_approval) {
        throw invalid([{ path: "runs_on", message: `job "${schedule.job}" requires approval for each run; PCs cannot ask for it, so use runs_on: backend` }]);
      }
      const about = { job: schedule.job, enabled: schedule.enabled, runs_on: schedule.runs_on, rule: ruleText(schedule) };
      const r = await deps.audit.around(
        caller,
        { action: "schedule.create", target: schedule.id, payload: about },
        () => defs.put({ schedule, yaml, since: deps.clock().toISOString() }),
        (out) => (out.created ? {} : { action: "schedule.replace" }),
      );
      deps.log.info({ schedule_id: schedule.id, job_id: schedule.job, created: r.created }, "schedule stored");
      await syncOrders();
      return { id: schedule.id, job: schedule.job, enabled: schedule.enabled, created: r.created };
    },

    list: async () => {
      const nowMs = deps.clock().getTime();
      return { items: defs.all().map((v) => summary(v.schedule, nowMs)), next_cursor: null };
    },

    get: async (id) => {
      const v = await mustGet(id);
      return { ...summary(v.schedule, deps.clock().getTime()), schedule: v.schedule, yaml: yamlWithEnabled(v.yaml, v.schedule.enabled) };
    },

    exportYaml: async (id) => {
      const v = await mustGet(id);
      return yamlWithEnabled(v.yaml, v.schedule.enabled);
    },

    remove: async (caller, id) => {
      await deps.audit.around(caller, { action: "schedule.delete", target: id }, async () => {
        if (!(await defs.remove(id))) throw new KanadeError("SCHEDULE_NOT_FOUND", `No schedule "${id}"`);
      });
      // The fire history goes with it: a schedule created again under this id starts afresh.
      fires.forget(id);
      await syncOrders();
    },

    setEnabled: async (caller, id, enabled, opts = {}) => {
      const v = await mustGet(id);
      const cascade = !enabled && (opts.cascade === true || opts.cascadeKill === true);
      const action = enabled ? "schedule.enable" : "schedule.disable";
      const result = await deps.audit.around(
        caller,
        { action, target: id, payload: { cascade, cascade_kill: !enabled && opts.cascadeKill === true } },
        async () => {
          // Enabling starts afresh: what came due while it was disabled does not fire.
          await defs.put({ schedule: { ...v.schedule, enabled }, yaml: v.yaml, since: enabled ? deps.clock().toISOString() : v.since });
          const withdrawn: string[] = [];
          const killed: string[] = [];
          if (!cascade) return { withdrawn, killed };
          for (const { exec_id } of fires.runningExecs(id)) {
            if (opts.cascadeKill) {
              await deps.executions.kill(caller, exec_id);
              killed.push(exec_id);
            } else {
              await deps.withdraw(exec_id);
              withdrawn.push(exec_id);
            }
          }
          return { withdrawn, killed };
        },
        (out) => ({ payload: { cascade, cascade_kill: opts.cascadeKill === true, withdrawn: out.withdrawn, killed: out.killed } }),
      );
      await syncOrders();
      return result;
    },

    preview: async (id, count) => previewOf((await mustGet(id)).schedule, count, deps.clock().getTime()),
    previewYaml: (body, count) => previewOf(parseBody(body).schedule, count, deps.clock().getTime()),

    status: async (id) => {
      const s = (await mustGet(id)).schedule;
      const nowMs = deps.clock().getTime();
      const blocked = blockedAt(nowMs, fireRules(s));
      const held = !s.enabled ? "disabled" : ((await deps.held()) ?? (blocked !== undefined ? blocked.replaceAll("_", " ") : null));
      return {
        id,
        enabled: s.enabled,
        runs_on: s.runs_on,
        held,
        next_fires: previewOf(s, 10, nowMs).fires,
        recent_fires: fires.recentFires(id, 20).map((f) => ({ occurrence: f.occurrence, pc_id: f.pc_id === "" ? null : f.pc_id, exec_id: f.exec_id, fired_at: f.fired_at, deadline_at: f.deadline_at })),
        counts: countStates(await coverageRows(s)),
      };
    },

    coverage: async (id) => {
      const s = (await mustGet(id)).schedule;
      const items = await coverageRows(s);
      return { id, job: s.job, total: items.length, counts: countStates(items), items };
    },

    engine,

    startBackground: ({ tickMs }) => {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      let ticks = 0;
      const loop = async (): Promise<void> => {
        // Claims left by a stop between claim and launch are rare: look for them at start and now and then.
        if (ticks++ % ORPHAN_SWEEP_TICKS === 0) await engine.sweepOrphans().catch((err: unknown) => deps.log.error({ err }, "schedule orphan sweep failed"));
        await syncOrders();
        await engine.tick().catch((err: unknown) => deps.log.error({ err }, "schedule tick failed"));
        if (!stopped) timer = setTimeout(() => void loop(), tickMs).unref();
      };
      void loop();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    },
  };
}
