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
  firstAllowed,
  planFires,
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
import { awaiting, inFlight, neverRan, PcIndex } from "./pc-index.js";

export { inFlight };

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
export function duePerPc(
  s: Schedule,
  state: PcFireState | undefined,
  nowMs: number,
  jobVersion: string,
  resendAfterMs = DEFAULT_RESEND_AFTER_MS,
  every: number | undefined = everyMs(s),
): string | undefined {
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
  const dueAt = Date.parse(state.finished_at ?? state.fired_at) + every!;
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

/** per_pc rules resolve their target and job version again about every 30 s (PCs joining, a new version). */
const PER_PC_RECHECK_MS = 30_000;
/** 22..38 s, fixed per schedule id, so a thousand per_pc schedules do not all look on the same tick. */
function recheckAfter(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return PER_PC_RECHECK_MS * (0.75 + (h % 1000) / 2000);
}
/** Each per_pc index is read again from the database about every 15 min (11..19): another backend's fires. */
const RESYNC_FACTOR = 30;
/** A schedule with nothing coming is looked at again at least this often. */
const MAX_SLEEP_MS = 3_600_000;
/** How far ahead a blocked schedule looks for the instant its constraints next allow a fire. */
const BLOCK_HORIZON_MS = 8 * 86_400_000;

/** A tick claims its fires in one transaction per this many rows. */
const CLAIM_BATCH_ROWS = 2_000;

/** Rows to claim this tick, and what to do with the ones this backend won. */
interface Claim {
  rows: FireRow[];
  then(won: FireRow[]): Promise<number>;
}

const awaitingState = (r: FireRow): PcFireState => ({
  pc_id: r.pc_id,
  occurrence: r.occurrence,
  exec_id: r.exec_id,
  fired_at: r.fired_at,
  deadline_at: r.deadline_at,
  status: null,
  exit_code: null,
  finished_at: null,
  version: null,
  started: false,
});

/**
 * The loop keeps, per schedule, the instant it is next worth looking at (its next occurrence, or when its window
 * opens), and per per_pc schedule a due-time index of its PCs (pc-index.ts) fed by the results that arrive; a
 * tick evaluates only what is due and claims all its fires in one transaction. The unique fire rows stay the
 * guard against firing twice: everything kept in memory only decides when to try.
 */
export function createEngine(deps: EngineDeps): Engine {
  const { fires } = deps;
  const resendAfterMs = deps.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS;
  // Keyed by the schedule object: a replaced schedule is a new object and starts afresh.
  const occurrences = new WeakMap<Schedule, Occurrence>();
  const claimed = new WeakMap<Schedule, string>();
  const rulesCache = new WeakMap<Schedule, FireRules>();
  /** Nothing to do for this schedule before `at` (for the `since` it was computed with). */
  const wake = new WeakMap<Schedule, { since: number; at: number }>();
  /** Due-time index per per_pc schedule id. */
  const pcIndexes = new Map<string, PcIndex>();
  /** The results read so far (their rowid); undefined until the first tick. */
  let cursor: number | undefined;

  const rulesOf = (s: Schedule): FireRules => {
    let r = rulesCache.get(s);
    if (!r) rulesCache.set(s, (r = fireRules(s)));
    return r;
  };
  const sleep = (s: Schedule, since: number, nowMs: number, at: number): void => {
    wake.set(s, { since, at: Math.min(at, nowMs + MAX_SLEEP_MS) });
  };
  const asleep = (s: Schedule, since: number, nowMs: number): boolean => {
    const w = wake.get(s);
    return w !== undefined && w.since === since && nowMs < w.at;
  };
  /** Blocked now (window, skip date, active): sleeps until the constraints next allow a fire. */
  const blocked = (s: Schedule, since: number, nowMs: number): boolean => {
    const rules = rulesOf(s);
    if (blockedAt(nowMs, rules) === undefined) return false;
    sleep(s, since, nowMs, firstAllowed(nowMs, nowMs + BLOCK_HORIZON_MS, rules) ?? nowMs + MAX_SLEEP_MS);
    return true;
  };
  /** A whole-target schedule with nothing more to do for its current occurrence: sleep until the next fire. */
  const sleepToNext = (s: Schedule, since: number, nowMs: number): void => {
    sleep(s, since, nowMs, planFires(s, nowMs, 1)[0]?.fire_at ?? nowMs + MAX_SLEEP_MS);
  };

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

  /** The answers that arrived since the last tick move their PCs' next due times. */
  const readAnswers = (): void => {
    if (cursor === undefined || pcIndexes.size === 0) {
      // Indexes built from here on read the database as it is now.
      cursor = fires.resultsCursor();
      return;
    }
    const r = fires.answersSince(cursor);
    cursor = r.cursor;
    for (const a of r.answers) pcIndexes.get(a.schedule_id)?.answered(a);
  };

  /** The schedule's PC index, built from the database or brought up to date with its target and job version. */
  const pcIndexFor = async (s: Schedule, since: number, nowMs: number, idx: PcIndex | undefined): Promise<PcIndex | undefined> => {
    if (idx && nowMs < idx.refreshAt && nowMs < idx.resyncAt) return idx;
    const version = await deps.jobVersion(s.job);
    if (version === undefined) {
      pcIndexes.delete(s.id);
      sleep(s, since, nowMs, nowMs + recheckAfter(s.id));
      return undefined;
    }
    const pcs = await deps.resolveTargets(s.target);
    if (idx && nowMs < idx.resyncAt) {
      idx.setVersion(version);
      idx.setTarget(pcs);
    } else {
      idx = new PcIndex(s, since, version, resendAfterMs, fires.pcStates(s.id), pcs);
      idx.resyncAt = nowMs + recheckAfter(s.id) * RESYNC_FACTOR;
      pcIndexes.set(s.id, idx);
    }
    idx.refreshAt = nowMs + recheckAfter(s.id);
    return idx;
  };

  const planPerPc = async (s: Schedule, since: number, nowMs: number, claims: Claim[]): Promise<void> => {
    let idx = pcIndexes.get(s.id);
    if (idx && (idx.schedule !== s || idx.since !== since)) idx = undefined; // edited, or enabled again
    if (idx && nowMs < Math.min(idx.nextDue(), idx.refreshAt, idx.resyncAt)) return;
    if (asleep(s, since, nowMs) || blocked(s, since, nowMs)) return;
    idx = await pcIndexFor(s, since, nowMs, idx);
    if (!idx || nowMs < idx.nextDue()) return;
    let room = Number.POSITIVE_INFINITY;
    if (s.constraints.max_concurrent !== undefined) {
      room = s.constraints.max_concurrent - idx.inFlightCount(nowMs);
      if (room <= 0) return; // an answer (or a passed deadline) frees a place; looked at again next tick
    }
    const execId = uuidv7();
    const deadline = commandDeadline(s, nowMs, nowMs, rulesOf(s));
    const rows: FireRow[] = [];
    for (const pc of idx.takeDue(nowMs)) {
      const occurrence = rows.length < room ? duePerPc(s, idx.states.get(pc), nowMs, idx.version, resendAfterMs, idx.every) : undefined;
      if (occurrence === undefined) {
        idx.putBack(pc, nowMs, rows.length < room ? nowMs + PER_PC_RECHECK_MS : nowMs);
        continue;
      }
      rows.push({ schedule_id: s.id, occurrence, pc_id: pc, exec_id: execId, fired_at: iso(nowMs), deadline_at: deadline !== undefined ? iso(deadline) : null });
    }
    if (rows.length === 0) return;
    const index = idx;
    claims.push({
      rows,
      then: async (won) => {
        for (const r of won) index.fired(awaitingState(r));
        // Another backend fired some of them: read what it did before looking again.
        if (won.length < rows.length) pcIndexes.delete(s.id);
        if (won.length === 0) return 0;
        const ok = await launch(s, execId, { pcs: won.map((r) => r.pc_id), ...withTiming(s, deadline) }, false);
        if (!ok) pcIndexes.delete(s.id); // released: due again, as the database now says
        return ok ? 1 : 0;
      },
    });
  };

  const fireWhole = async (s: Schedule, since: number, nowMs: number, claims: Claim[]): Promise<number> => {
    if (asleep(s, since, nowMs) || blocked(s, since, nowMs)) return 0;
    const rules = rulesOf(s);
    let occ = occurrences.get(s);
    if (!occ || nowMs >= occ.expires || nowMs < occ.at) {
      occ = latestOccurrence(s, nowMs, rules);
      if (occ) occurrences.set(s, occ);
    }
    if (!occ || nowMs >= occ.expires || occ.at < since || isBeforeActive(occ.at, rules)) {
      sleepToNext(s, since, nowMs);
      return 0;
    }
    const occurrence = iso(occ.at);
    const seen = claimed.get(s) === occurrence;
    const deadline = commandDeadline(s, occ.at, nowMs, rules);
    const deadlineAt = deadline !== undefined ? iso(deadline) : null;
    const max = s.constraints.max_concurrent;
    if (max === undefined) {
      sleepToNext(s, since, nowMs);
      if (seen) return 0;
      claimed.set(s, occurrence);
      const execId = uuidv7();
      const rollout = s.rollout !== undefined;
      const row: FireRow = { schedule_id: s.id, occurrence, pc_id: "", exec_id: execId, fired_at: iso(nowMs), deadline_at: rollout ? null : deadlineAt };
      claims.push({
        rows: [row],
        then: async (won) => {
          if (won.length === 0) return 0;
          const ok = rollout ? await launchRollout(s, execId) : await launch(s, execId, { ...targetRequest(s.target), ...withTiming(s, deadline) }, false);
          if (!ok) {
            claimed.delete(s); // released: due again next tick
            wake.delete(s);
          }
          return ok ? 1 : 0;
        },
      });
      return 0;
    }
    // A rolling fan-out: the occurrence is claimed once with its PCs queued; each tick sends the next few.
    const marker: FireRow = { schedule_id: s.id, occurrence, pc_id: "", exec_id: null, fired_at: iso(nowMs), deadline_at: deadlineAt };
    if (!seen && fires.claim([marker]).length > 0) {
      const pcs = await deps.resolveTargets(s.target);
      fires.claim(pcs.map((pc) => ({ ...marker, pc_id: pc })));
    }
    claimed.set(s, occurrence);
    // Everything of this occurrence sent: nothing to count until a launch fails or an orphan is put back.
    if (fires.queued(s.id, occurrence, 1).length === 0) return 0;
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

  /**
   * Claims the tick's fires in one transaction (a busy tick in a few: smallest fires first, at most
   * CLAIM_BATCH_ROWS rows each, so a fan-out to thousands of PCs does not hold back the fires at a whole target),
   * then launches what this backend won.
   */
  const settle = async (claims: readonly Claim[]): Promise<number> => {
    const ordered = [...claims].sort((a, b) => a.rows.length - b.rows.length);
    let fired = 0;
    for (let i = 0; i < ordered.length; ) {
      const batch: Claim[] = [];
      for (let rows = 0; i < ordered.length && (batch.length === 0 || rows + ordered[i]!.rows.length <= CLAIM_BATCH_ROWS); i++) {
        rows += ordered[i]!.rows.length;
        batch.push(ordered[i]!);
      }
      const won = new Set(fires.claim(batch.flatMap((c) => c.rows)));
      for (const c of batch) {
        try {
          fired += await c.then(c.rows.filter((r) => won.has(r)));
        } catch (err) {
          deps.log.error({ schedule_id: c.rows[0]?.schedule_id, err }, "firing a schedule failed");
        }
      }
    }
    return fired;
  };

  return {
    tick: async () => {
      const held = await deps.held();
      if (held !== undefined) {
        deps.log.debug({ reason: held }, "schedules held");
        return 0;
      }
      const nowMs = deps.clock().getTime();
      readAnswers();
      const claims: Claim[] = [];
      const perPc = new Set<string>();
      let fired = 0;
      for (const { schedule: s, since } of deps.schedules()) {
        if (!s.enabled) continue;
        try {
          if (s.runs_on === "agent") fired += await recordAgentSide(s, since, nowMs);
          else if (s.when.per_pc !== undefined) {
            perPc.add(s.id);
            await planPerPc(s, since, nowMs, claims);
          } else fired += await fireWhole(s, since, nowMs, claims);
        } catch (err) {
          deps.log.error({ schedule_id: s.id, err }, "evaluating a schedule failed");
        }
      }
      for (const id of pcIndexes.keys()) if (!perPc.has(id)) pcIndexes.delete(id); // deleted, disabled or changed kind
      return fired + (await settle(claims));
    },
    sweepOrphans: async () => {
      const released = fires.releaseOrphans(iso(deps.clock().getTime() - 60_000));
      if (released > 0) pcIndexes.clear(); // their PCs are due again: read the states afresh
      return released;
    },
  };
}
