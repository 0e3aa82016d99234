/**
 * The backend's firing loop. Each tick reads every enabled `runs_on: backend` schedule and, at the instant the
 * injected clock gives, fires what is due through the executions module (so approvals, audit, the version pin
 * and command signing all apply). Every fire is first claimed as a unique row per (schedule, occurrence, pc):
 * whoever inserts it fires, anyone else (a second tick, a second backend) skips it. A `runs_on: agent`
 * schedule is fired by the PCs themselves: for it the loop only opens the execution of each due occurrence,
 * under the exec_id the PCs derive too, claimed the same way.
 */
import {
  blockedAt,
  commandDeadline,
  openOccurrence,
  everyMs,
  fireRules,
  isBeforeActive,
  latestOccurrence,
  type ExecRequest,
  type FireRules,
  type Occurrence,
  type Schedule,
  type ScheduleTarget,
} from "@kanade/protocol";
import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import { agentExecId } from "./agent-exec-id.js";
import type { FireRow, FiresStore, PcFireState } from "./fires-store.js";

export interface EngineDeps {
  fires: FiresStore;
  /** Every schedule, with the instant it last became active (occurrences before it never fire). */
  schedules(): { schedule: Schedule; since: number }[];
  /** The job's current version, or undefined when there is no such job. */
  jobVersion(jobId: string): Promise<string | undefined>;
  resolveTargets(target: ScheduleTarget): Promise<string[]>;
  /** Fires the schedule's job under the given exec_id; throws when nothing was started. */
  launch(schedule: Schedule, execId: string, request: ExecRequest): Promise<void>;
  /** Starts a rollout (the schedule's `rollout:` waves) under the given id; throws when nothing was started. */
  launchRollout(schedule: Schedule, rolloutId: string): Promise<void>;
  /** Opens the execution of an agent-side occurrence (the PCs fire it themselves); throws when it could not. */
  recordAgentFired(schedule: Schedule, execId: string, occurrence: string): Promise<void>;
  /** True when the execution exists (it was created even if its publish failed). */
  execExists(execId: string): Promise<boolean>;
  /** Why nothing may fire right now (a fleet freeze), or undefined. */
  held(): Promise<string | undefined>;
  /**
   * A per-PC fire still unanswered after this long is sent again: its command is gone from EXEC (aged out, or
   * replaced by a newer command to the same PC), so the PC would never answer it. Default: EXEC's 7 days.
   */
  resendAfterMs?: number;
  log: Logger;
  clock: () => Date;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const DEFAULT_RESEND_AFTER_MS = 7 * 86_400_000;

/** A result published instead of running because the deadline had passed: the PC never ran it. */
const neverRan = (s: PcFireState): boolean => s.status === "skipped" && s.exit_code === 125;
/** Fired, and no answer yet. */
const awaiting = (s: PcFireState): boolean => s.exec_id !== null && s.status === null;
/** Counts against max_concurrent: no answer yet, and its deadline (if any) not passed. */
export const inFlight = (s: PcFireState, nowMs: number): boolean => awaiting(s) && (s.deadline_at === null || Date.parse(s.deadline_at) > nowMs);

/** `once#2` → base `once`, attempt 2. Retries of an occurrence that never ran get a fresh unique key. */
function splitKey(key: string): { base: string; attempt: number } {
  const m = /^(.*)#(\d+)$/.exec(key);
  return m ? { base: m[1]!, attempt: Number(m[2]) } : { base: key, attempt: 0 };
}
const retryKey = (key: string): string => {
  const { base, attempt } = splitKey(key);
  return `${base}#${attempt + 1}`;
};

/**
 * The occurrence key a PC is due for under a per_pc rule, or undefined when it is not due. A PC that has not
 * answered its last fire is never due again (an offline PC catches up once, not once per missed interval).
 */
export function duePerPc(s: Schedule, state: PcFireState | undefined, nowMs: number, jobVersion: string, resendAfterMs = DEFAULT_RESEND_AFTER_MS): string | undefined {
  const mode = s.when.per_pc;
  if (state && awaiting(state) && nowMs - Date.parse(state.fired_at) >= resendAfterMs) return retryKey(state.occurrence);
  if (mode === "once" || mode === "once_per_version") {
    const base = mode === "once" ? "once" : `v${jobVersion}`;
    if (!state || splitKey(state.occurrence).base !== base) return base;
    if (awaiting(state)) return undefined;
    return neverRan(state) ? retryKey(state.occurrence) : undefined;
  }
  if (!state) return "first";
  if (awaiting(state)) return undefined;
  if (neverRan(state)) return retryKey(state.occurrence);
  const dueAt = Date.parse(state.finished_at ?? state.fired_at) + everyMs(s)!;
  return nowMs >= dueAt ? iso(dueAt) : undefined;
}

export function targetRequest(t: ScheduleTarget): Pick<ExecRequest, "pcs" | "groups" | "all"> {
  return { ...(t.pcs ? { pcs: t.pcs } : {}), ...(t.groups ? { groups: t.groups } : {}), ...(t.all ? { all: true } : {}) };
}

export interface Engine {
  /** Evaluates every schedule once at the clock's now; answers how many fires it started. */
  tick(): Promise<number>;
  /** Forgets claims whose exec never came to be (a backend stopped between claim and launch). */
  sweepOrphans(): Promise<number>;
}

/** per_pc rules are looked at about every 30 s (new PCs, answers that make a PC due again). */
const PER_PC_RECHECK_MS = 30_000;
/** 22..38 s, fixed per schedule id, so a thousand per_pc schedules do not all look on the same tick. */
function recheckAfter(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return PER_PC_RECHECK_MS * (0.75 + (h % 1000) / 2000);
}

export function createEngine(deps: EngineDeps): Engine {
  const { fires } = deps;
  // What a tick already knows, so 1,000 schedules cost little when nothing is due. Keyed by the schedule
  // object: a replaced schedule is a new object and starts afresh. The unique fire rows stay the guard.
  const occurrences = new WeakMap<Schedule, Occurrence>();
  const claimed = new WeakMap<Schedule, string>();
  const perPcNext = new WeakMap<Schedule, number>();

  /** Launches; on failure forgets the claim (or puts queued rows back) so the occurrence stays due. */
  const launch = async (s: Schedule, execId: string, request: ExecRequest, requeue: boolean): Promise<boolean> => {
    try {
      await deps.launch(s, execId, request);
      deps.log.info({ schedule_id: s.id, job_id: s.job, exec_id: execId }, "schedule fired");
      return true;
    } catch (err) {
      if (!(await deps.execExists(execId))) fires.release(execId, requeue);
      deps.log.warn({ schedule_id: s.id, job_id: s.job, exec_id: execId, err }, "schedule fire failed; it stays due");
      return false;
    }
  };

  /** The fire row's exec_id column holds the rollout id; its waves are the executions. */
  const launchRollout = async (s: Schedule, rolloutId: string): Promise<boolean> => {
    try {
      await deps.launchRollout(s, rolloutId);
      deps.log.info({ schedule_id: s.id, job_id: s.job, rollout_id: rolloutId }, "schedule fired a rollout");
      return true;
    } catch (err) {
      fires.release(rolloutId, false);
      deps.log.warn({ schedule_id: s.id, job_id: s.job, rollout_id: rolloutId, err }, "schedule rollout failed to start; it stays due");
      return false;
    }
  };

  const withTiming = (s: Schedule, deadline: number | undefined): Pick<ExecRequest, "jitter" | "deadline_at"> => ({
    ...(s.jitter !== undefined ? { jitter: s.jitter } : {}),
    ...(deadline !== undefined ? { deadline_at: iso(deadline) } : {}),
  });

  const firePerPc = async (s: Schedule, nowMs: number, rules: FireRules): Promise<number> => {
    if (nowMs < (perPcNext.get(s) ?? Number.NEGATIVE_INFINITY)) return 0;
    const fired = await firePerPcNow(s, nowMs, rules);
    // Rolling (max_concurrent) fan-outs look every tick: each answer frees a place.
    if (fired >= 0 && s.constraints.max_concurrent === undefined) perPcNext.set(s, nowMs + recheckAfter(s.id));
    return Math.max(0, fired);
  };

  /** -1 when a launch failed (look again next tick). */
  const firePerPcNow = async (s: Schedule, nowMs: number, rules: FireRules): Promise<number> => {
    const version = await deps.jobVersion(s.job);
    if (version === undefined) return 0;
    const pcs = await deps.resolveTargets(s.target);
    const states = new Map(fires.pcStates(s.id).map((p) => [p.pc_id, p]));
    let room = Number.POSITIVE_INFINITY;
    if (s.constraints.max_concurrent !== undefined) {
      room = s.constraints.max_concurrent - pcs.filter((pc) => {
        const st = states.get(pc);
        return st !== undefined && inFlight(st, nowMs);
      }).length;
    }
    const execId = uuidv7();
    const deadline = commandDeadline(s, nowMs, nowMs, rules);
    const due: FireRow[] = [];
    for (const pc of pcs) {
      if (due.length >= room) break;
      const occurrence = duePerPc(s, states.get(pc), nowMs, version, deps.resendAfterMs);
      if (occurrence !== undefined) {
        due.push({ schedule_id: s.id, occurrence, pc_id: pc, exec_id: execId, fired_at: iso(nowMs), deadline_at: deadline !== undefined ? iso(deadline) : null });
      }
    }
    if (due.length === 0) return 0;
    const won = fires.claim(due);
    if (won.length === 0) return 0;
    return (await launch(s, execId, { pcs: won.map((r) => r.pc_id), ...withTiming(s, deadline) }, false)) ? 1 : -1;
  };

  const fireWhole = async (s: Schedule, since: number, nowMs: number, rules: FireRules): Promise<number> => {
    let occ = occurrences.get(s);
    if (!occ || nowMs >= occ.expires || nowMs < occ.at) {
      occ = latestOccurrence(s, nowMs, rules);
      if (occ) occurrences.set(s, occ);
    }
    if (!occ || nowMs >= occ.expires || occ.at < since || isBeforeActive(occ.at, rules)) return 0;
    const occurrence = iso(occ.at);
    const seen = claimed.get(s) === occurrence;
    const deadline = commandDeadline(s, occ.at, nowMs, rules);
    const deadlineAt = deadline !== undefined ? iso(deadline) : null;
    const max = s.constraints.max_concurrent;
    if (max === undefined) {
      if (seen) return 0;
      claimed.set(s, occurrence);
      const execId = uuidv7();
      const rollout = s.rollout !== undefined;
      const won = fires.claim([{ schedule_id: s.id, occurrence, pc_id: "", exec_id: execId, fired_at: iso(nowMs), deadline_at: rollout ? null : deadlineAt }]);
      if (won.length === 0) return 0;
      const ok = rollout ? await launchRollout(s, execId) : await launch(s, execId, { ...targetRequest(s.target), ...withTiming(s, deadline) }, false);
      if (!ok) claimed.delete(s); // released: due again next tick
      return ok ? 1 : 0;
    }
    // A rolling fan-out: the occurrence is claimed once with its PCs queued; each tick sends the next few.
    const marker: FireRow = { schedule_id: s.id, occurrence, pc_id: "", exec_id: null, fired_at: iso(nowMs), deadline_at: deadlineAt };
    if (!seen && fires.claim([marker]).length > 0) {
      const pcs = await deps.resolveTargets(s.target);
      fires.claim(pcs.map((pc) => ({ ...marker, pc_id: pc })));
    }
    claimed.set(s, occurrence);
    const inflight = fires.pcStates(s.id).filter((p) => inFlight(p, nowMs)).length;
    if (inflight >= max) return 0;
    const execId = uuidv7();
    const taken = fires.queued(s.id, occurrence, max - inflight).filter((r) => fires.take(r, execId, iso(nowMs), deadlineAt));
    if (taken.length === 0) return 0;
    return (await launch(s, execId, { pcs: taken.map((r) => r.pc_id), ...withTiming(s, deadline) }, true)) ? 1 : 0;
  };

  /**
   * runs_on: agent. The PCs fire from their standing orders; the backend opens the execution of each due
   * occurrence (named as the PCs name it: see protocol schedule-order.ts), once, so late results join it.
   */
  const recordAgentSide = async (s: Schedule, since: number, nowMs: number): Promise<number> => {
    const version = await deps.jobVersion(s.job);
    if (version === undefined) return 0;
    const due = openOccurrence(s, since, version, nowMs);
    if (!due || claimed.get(s) === due.key) return 0;
    claimed.set(s, due.key);
    const execId = agentExecId(s.id, since, due.key);
    const row: FireRow = { schedule_id: s.id, occurrence: due.key, pc_id: "", exec_id: execId, fired_at: iso(nowMs), deadline_at: due.deadline !== undefined ? iso(due.deadline) : null };
    if (fires.claim([row]).length === 0) return 0;
    try {
      await deps.recordAgentFired(s, execId, due.key);
      return 1;
    } catch (err) {
      fires.release(execId, false);
      claimed.delete(s);
      deps.log.warn({ schedule_id: s.id, exec_id: execId, err }, "could not open an agent-side occurrence; it stays due");
      return 0;
    }
  };

  const evaluate = async (s: Schedule, since: number, nowMs: number): Promise<number> => {
    const rules = fireRules(s);
    if (blockedAt(nowMs, rules) !== undefined) return 0;
    return s.when.per_pc !== undefined ? firePerPc(s, nowMs, rules) : fireWhole(s, since, nowMs, rules);
  };

  return {
    tick: async () => {
      const held = await deps.held();
      if (held !== undefined) {
        deps.log.debug({ reason: held }, "schedules held");
        return 0;
      }
      const nowMs = deps.clock().getTime();
      let fired = 0;
      for (const { schedule: s, since } of deps.schedules()) {
        if (!s.enabled) continue;
        try {
          fired += s.runs_on === "agent" ? await recordAgentSide(s, since, nowMs) : await evaluate(s, since, nowMs);
        } catch (err) {
          deps.log.error({ schedule_id: s.id, err }, "evaluating a schedule failed");
        }
      }
      return fired;
    },
    sweepOrphans: async () => fires.releaseOrphans(iso(deps.clock().getTime() - 60_000)),
  };
}
