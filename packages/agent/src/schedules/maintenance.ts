/**
 * KLP `maintenance.list|defer`: this PC's upcoming occurrences of the agent-side schedules it holds, and
 * putting the next one off within the schedule's `user_defer` limits. A deferral never moves a fire past the
 * last instant its occurrence may start (starting_deadline, the next occurrence, active.until, the close of the
 * window it was due in), less a minute the agent needs to notice it; what would is refused, naming the limit.
 * Every deferral is persisted first, then reported as a `maintenance_deferred` timeline event.
 */
import { v5 as uuidv5 } from "uuid";
import {
  SCHEDULE_EXEC_NAMESPACE,
  blockedAt,
  fireRules,
  firstAllowed,
  formatDuration,
  isBeforeActive,
  latestOccurrence,
  orderTargets,
  parseDurationMs,
  planFires,
  windowCloseAfter,
  type AgentEvent,
  type StandingOrder,
} from "@kanade/protocol/wire";
import type { MaintenanceItem } from "@kanade/protocol/klp";
import type { Deferrals } from "./deferrals.js";
import type { FiredOccurrences } from "./fired-occurrences.js";
import { occurrenceExecId } from "./scheduler.js";

/** A deferral must leave the agent this long before the occurrence's last start (the scheduler ticks every 15 s). */
export const DEFER_START_MARGIN_MS = 60_000;
/** The smallest step of one deferral. */
export const MIN_DEFER_MS = 60_000;

export class MaintenanceRefusal extends Error {
  constructor(
    readonly kind: "not_found" | "refused",
    message: string,
  ) {
    super(message);
    this.name = "MaintenanceRefusal";
  }
}

export interface MaintenanceDeps {
  pcId: string;
  orders(): readonly StandingOrder[];
  groups(): readonly string[];
  fired: FiredOccurrences;
  deferrals: Deferrals;
  /** A timeline event to ship through the outbox. */
  report(event: AgentEvent): void;
  now(): number;
}

/** The next occurrence of one schedule on this PC, before deferrals. */
interface Upcoming {
  order: StandingOrder;
  execId: string;
  key: string;
  /** When it fires without deferrals; undefined when no allowed instant is in sight. */
  plannedFire: number | undefined;
  /** The instant by which it must have started, and what sets it. */
  limit: { at: number; what: string } | undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function upcomingOf(order: StandingOrder, deps: MaintenanceDeps, now: number): Upcoming | undefined {
  const s = order.schedule;
  if (!s.enabled || !orderTargets(s, deps.pcId, deps.groups())) return undefined;
  const rules = fireRules(s);
  const since = Date.parse(order.since);
  const limits: { at: number; what: string }[] = [];
  if (rules.activeUntil !== undefined) limits.push({ at: rules.activeUntil, what: `the schedule's active.until (${iso(rules.activeUntil)})` });
  const mode = s.when.per_pc;
  if (mode !== undefined) {
    if (typeof mode !== "string") return undefined;
    const key = mode === "once" ? "once" : `v${order.command.version}`;
    const execId = occurrenceExecId(order, key);
    if (deps.fired.has(s.id, execId)) return undefined;
    const planned = firstAllowed(Math.max(now, since), rules.activeUntil ?? Number.POSITIVE_INFINITY, rules);
    return withWindow({ order, execId, key, plannedFire: planned, limit: undefined }, limits, rules);
  }
  // The occurrence due now (not fired yet), else the next ones as preview plans them.
  const candidates: { at: number; fire: number | undefined }[] = [];
  const cur = latestOccurrence(s, now, rules);
  if (cur && now < cur.expires) candidates.push({ at: cur.at, fire: firstAllowed(now, cur.expires, rules) });
  for (const p of planFires(s, now, 5)) if (!candidates.some((c) => c.at === p.occurrence)) candidates.push({ at: p.occurrence, fire: p.fire_at });
  for (const c of candidates) {
    if (c.fire === undefined || c.at < since || isBeforeActive(c.at, rules)) continue;
    const key = iso(c.at);
    const execId = occurrenceExecId(order, key);
    if (deps.fired.has(s.id, execId)) continue;
    const occ = latestOccurrence(s, c.at, rules);
    const own = [...limits];
    if (occ && Number.isFinite(occ.expires)) {
      const deadline = s.starting_deadline !== undefined ? c.at + parseDurationMs(s.starting_deadline)! : undefined;
      own.push({ at: occ.expires, what: occ.expires === deadline ? `the starting_deadline ${s.starting_deadline} (${iso(occ.expires)})` : `the next occurrence (${iso(occ.expires)})` });
    }
    return withWindow({ order, execId, key, plannedFire: c.fire, limit: undefined }, own, rules);
  }
  return undefined;
}

/** Adds the close of the window the fire is due in to the limits, and keeps the earliest. */
function withWindow(u: Upcoming, limits: { at: number; what: string }[], rules: ReturnType<typeof fireRules>): Upcoming {
  const all = [...limits];
  if (rules.window && u.plannedFire !== undefined) {
    const close = windowCloseAfter(u.plannedFire, rules.window, rules.zone);
    all.push({ at: close, what: `the close of its window ${u.order.schedule.constraints.window ?? ""} (${iso(close)})` });
  }
  const limit = all.reduce<{ at: number; what: string } | undefined>((a, b) => (a === undefined || b.at < a.at ? b : a), undefined);
  return { ...u, limit };
}

export class Maintenance {
  constructor(private readonly deps: MaintenanceDeps) {}

  /** This PC's upcoming occurrences, one per agent-side schedule that targets it, earliest first. */
  list(): MaintenanceItem[] {
    const now = this.deps.now();
    const items: MaintenanceItem[] = [];
    for (const order of this.deps.orders()) {
      const u = upcomingOf(order, this.deps, now);
      if (u) items.push(this.itemOf(u, now));
    }
    return items.sort((a, b) => (a.next_fire_at ?? "~").localeCompare(b.next_fire_at ?? "~"));
  }

  /** Puts this PC's next occurrence of the schedule off by `by` (from its current fire time, or now if later). */
  defer(user: string, scheduleId: string, by: string): { schedule_id: string; occurrence: string; deferred_until: string; times_left: number } {
    const { deps } = this;
    const now = deps.now();
    const order = deps.orders().find((o) => o.schedule_id === scheduleId);
    if (!order) throw new MaintenanceRefusal("not_found", `no agent-side schedule "${scheduleId}" on this PC`);
    const u = upcomingOf(order, deps, now);
    if (!u || u.plannedFire === undefined) throw new MaintenanceRefusal("not_found", `schedule "${scheduleId}" has no upcoming occurrence on this PC`);
    const s = order.schedule;
    const allow = s.user_defer;
    if (!allow) throw new MaintenanceRefusal("refused", `schedule "${scheduleId}" does not allow deferral (it has no user_defer)`);
    const byMs = parseDurationMs(by);
    if (byMs === undefined || byMs < MIN_DEFER_MS) throw new MaintenanceRefusal("refused", "by: must be at least 1m");
    const prior = deps.deferrals.of(s.id, u.execId);
    const used = prior?.history.length ?? 0;
    if (used >= allow.max_times) {
      throw new MaintenanceRefusal("refused", `max_times: this occurrence was already deferred ${used} time(s), the schedule allows ${allow.max_times}`);
    }
    const original = prior ? Date.parse(prior.original_fire_at) : u.plannedFire;
    const current = Math.max(now, u.plannedFire, prior ? Date.parse(prior.until) : 0);
    const until = current + byMs;
    const maxDelayMs = parseDurationMs(allow.max_delay)!;
    if (until - original > maxDelayMs) {
      throw new MaintenanceRefusal(
        "refused",
        `max_delay: that puts it off by ${formatDuration(until - original)} in total, the schedule allows ${allow.max_delay} (at the latest ${iso(original + maxDelayMs)})`,
      );
    }
    if (u.limit && until > u.limit.at - DEFER_START_MARGIN_MS) {
      throw new MaintenanceRefusal("refused", `it must start before ${u.limit.what}; it can be put off to ${iso(u.limit.at - DEFER_START_MARGIN_MS)} at the latest`);
    }
    const blocked = blockedAt(until, fireRules(s));
    if (blocked !== undefined) throw new MaintenanceRefusal("refused", `it may not run at ${iso(until)} (${blocked.replaceAll("_", " ")})`);
    const history = [...(prior?.history ?? []), { user, at: iso(now), until: iso(until) }];
    deps.deferrals.put(s.id, { exec_id: u.execId, occurrence: u.key, original_fire_at: iso(original), until: iso(until), history });
    const timesLeft = allow.max_times - history.length;
    deps.report({
      event_id: uuidv5(`${u.execId}/deferred/${history.length}`, SCHEDULE_EXEC_NAMESPACE),
      pc_id: deps.pcId,
      at: iso(now),
      kind: "maintenance_deferred",
      user,
      source: "klp",
      exec_id: u.execId,
      job_id: order.command.job_id,
      message: `${user} put off schedule ${s.id} (job ${order.command.job_id}) to ${iso(until)}; ${timesLeft} deferral(s) left`,
      data: { schedule_id: s.id, occurrence: u.key, from: iso(current), until: iso(until), by, original_fire_at: iso(original), times_used: history.length, max_times: allow.max_times },
    });
    return { schedule_id: s.id, occurrence: u.key, deferred_until: iso(until), times_left: timesLeft };
  }

  private itemOf(u: Upcoming, now: number): MaintenanceItem {
    const s = u.order.schedule;
    const prior = this.deps.deferrals.of(s.id, u.execId);
    const until = prior ? Date.parse(prior.until) : undefined;
    const fire = u.plannedFire === undefined ? undefined : Math.max(u.plannedFire, until ?? 0);
    const allow = s.user_defer;
    const used = prior?.history.length ?? 0;
    const timesLeft = allow ? Math.max(0, allow.max_times - used) : 0;
    let latest: number | undefined;
    if (allow && timesLeft > 0 && u.plannedFire !== undefined) {
      const original = prior ? Date.parse(prior.original_fire_at) : u.plannedFire;
      latest = original + parseDurationMs(allow.max_delay)!;
      if (u.limit) latest = Math.min(latest, u.limit.at - DEFER_START_MARGIN_MS);
      if (latest <= Math.max(now, fire ?? 0)) latest = undefined;
    }
    return {
      schedule_id: s.id,
      job_id: u.order.command.job_id,
      ...(s.description !== undefined ? { description: s.description } : {}),
      occurrence: u.key,
      next_fire_at: fire === undefined ? null : iso(fire),
      ...(s.constraints.window !== undefined ? { window: s.constraints.window } : {}),
      latest_start: u.limit ? iso(u.limit.at) : null,
      defer: {
        allowed: allow !== undefined,
        ...(allow ? { max_delay: allow.max_delay, max_times: allow.max_times } : {}),
        times_left: timesLeft,
        latest_until: latest === undefined ? null : iso(latest),
        ...(until !== undefined ? { deferred_until: iso(until) } : {}),
      },
    };
  }
}
