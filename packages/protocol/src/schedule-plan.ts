/**
 * When a schedule fires, as pure functions of the schedule and an instant, shared by the backend's firing loop,
 * `preview`, and (later) agent-side firing. An occurrence is due from its time until it expires (the next
 * occurrence, or its starting_deadline); while due it fires at the first instant its constraints allow. A
 * fleet that was down for several occurrences fires the latest one once, not each one it missed.
 */
import { parseDurationMs } from "./duration.js";
import type { Schedule } from "./schedule-schema.js";
import { calendarAfter, calendarAtOrBefore, firstAllowed, instantOfText, parseWindow, planZone, windowCloseAfter, type FireRules } from "./schedule-time.js";

export function fireRules(s: Schedule): FireRules {
  const zone = planZone(s.when.tz);
  const window = s.constraints.window !== undefined ? parseWindow(s.constraints.window) : undefined;
  const a = s.when.active;
  return {
    zone,
    window,
    skipDates: new Set(s.constraints.skip_dates ?? []),
    activeFrom: a?.from !== undefined ? instantOfText(a.from, zone) : undefined,
    activeUntil: a?.until !== undefined ? instantOfText(a.until, zone) : undefined,
  };
}

/** The interval of a `per_target` or `per_pc: {every}` schedule. */
export function everyMs(s: Schedule): number | undefined {
  const w = s.when;
  const every = w.per_target?.every ?? (typeof w.per_pc === "object" ? w.per_pc.every : undefined);
  return every !== undefined ? parseDurationMs(every) : undefined;
}

/** An occurrence of a whole-target schedule: its time and the instant it stops being due. */
export interface Occurrence {
  at: number;
  expires: number;
}

function expiry(s: Schedule, at: number, next: number | undefined): number {
  const deadline = s.starting_deadline !== undefined ? at + parseDurationMs(s.starting_deadline)! : Number.POSITIVE_INFINITY;
  return Math.min(next ?? Number.POSITIVE_INFINITY, deadline);
}

function nextAfter(s: Schedule, at: number, zone: string): number | undefined {
  if (s.when.calendar) return calendarAfter(s.when.calendar, zone, at, 1)[0];
  const iv = everyMs(s);
  return iv !== undefined ? at + iv : undefined;
}

/** An occurrence from before `active.from` never fires, even once the schedule becomes active. */
export const isBeforeActive = (at: number, rules: FireRules): boolean => rules.activeFrom !== undefined && at < rules.activeFrom;

/** per_target slots count from `active.from`, else from the epoch, so every backend computes the same ones. */
const anchorOf = (rules: FireRules): number => rules.activeFrom ?? 0;

/** The latest occurrence at or before `nowMs` of a calendar or per_target schedule (undefined for per_pc ones). */
export function latestOccurrence(s: Schedule, nowMs: number, rules: FireRules = fireRules(s)): Occurrence | undefined {
  let at: number | undefined;
  if (s.when.calendar) at = calendarAtOrBefore(s.when.calendar, rules.zone, nowMs);
  else if (s.when.per_target) {
    const iv = everyMs(s)!;
    const anchor = anchorOf(rules);
    if (nowMs >= anchor) at = anchor + Math.floor((nowMs - anchor) / iv) * iv;
  }
  if (at === undefined) return undefined;
  return { at, expires: expiry(s, at, nextAfter(s, at, rules.zone)) };
}

/**
 * The command's deadline for a fire at `fireAt` of an occurrence at `occurrenceAt`: the starting_deadline after
 * the occurrence, and the close of the window the fire happens in, whichever comes first.
 */
export function commandDeadline(s: Schedule, occurrenceAt: number, fireAt: number, rules: FireRules = fireRules(s)): number | undefined {
  const limits: number[] = [];
  if (s.starting_deadline !== undefined) limits.push(occurrenceAt + parseDurationMs(s.starting_deadline)!);
  if (rules.window) limits.push(windowCloseAfter(fireAt, rules.window, rules.zone));
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/** preview looks this far ahead at most: a schedule whose occurrences all expire outside its window plans nothing. */
const PLAN_HORIZON_MS = 400 * 86_400_000;

export interface PlannedFire {
  occurrence: number;
  fire_at: number;
}

/**
 * The next `count` fires of a calendar or per_target schedule after `fromMs`, constraints applied (an occurrence
 * outside the window waits for it; one that expires first is dropped). per_pc schedules fire per PC: none here.
 */
export function planFires(s: Schedule, fromMs: number, count: number): PlannedFire[] {
  if (s.when.per_pc !== undefined) return [];
  const rules = fireRules(s);
  const out: PlannedFire[] = [];
  // A schedule active from a later date plans from then; occurrences before it never fire.
  const start = rules.activeFrom !== undefined && rules.activeFrom > fromMs ? rules.activeFrom - 1 : fromMs;
  // The latest occurrence may still be due, waiting for its window: it counts when it fires later than fromMs.
  const first = latestOccurrence(s, start, rules);
  let at = first?.at ?? (s.when.per_target ? anchorOf(rules) : nextAfter(s, start, rules.zone));
  const horizon = start + PLAN_HORIZON_MS;
  for (let i = 0; i < 10_000 && at !== undefined && at < horizon && out.length < count; i++) {
    if (rules.activeUntil !== undefined && at >= rules.activeUntil) break;
    const next = nextAfter(s, at, rules.zone);
    const fire = isBeforeActive(at, rules) ? undefined : firstAllowed(Math.max(at, fromMs), expiry(s, at, next), rules);
    if (fire !== undefined && fire > fromMs) out.push({ occurrence: at, fire_at: fire });
    at = next;
  }
  return out;
}
