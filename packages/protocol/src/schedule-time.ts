/**
 * Wall-clock arithmetic for schedules, in any IANA zone, with Intl only. Local times that do not exist
 * (the hour skipped when clocks spring forward) move forward by the gap — 02:30 becomes 03:30 — and local
 * times that happen twice (the hour repeated in autumn) mean the first of the two, as Temporal's
 * "compatible" disambiguation does. Instants are epoch milliseconds.
 */

const DAY_MS = 86_400_000;
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export interface LocalDate {
  y: number;
  /** 1..12 */
  m: number;
  d: number;
}
export interface Wall extends LocalDate {
  hh: number;
  mm: number;
  ss: number;
  /** 0 = Sunday */
  dow: number;
}

/** `local` is this process's zone (the backend host's, or the PC's for agent-side schedules); `utc` is UTC. */
export function resolveZone(tz: string): string {
  if (tz === "local") return new Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz.toLowerCase() === "utc") return "UTC";
  return tz;
}

/**
 * How a plan names the zone `local` (planZone): this process's own zone, read through Date rather than
 * Intl. The first Intl.DateTimeFormat loads ICU's date-formatting data, about 10 MiB resident for the
 * process's life: an agent whose schedules are all `local` or `utc` never needs it (Date's local time
 * comes from the same ICU zone as Intl's default, without that data).
 */
export const LOCAL_ZONE = "local";

/** The zone a schedule's `tz` is planned in: `local` as LOCAL_ZONE, `utc` as UTC, an IANA name as itself. */
export function planZone(tz: string): string {
  if (tz === "local") return LOCAL_ZONE;
  if (tz.toLowerCase() === "utc") return "UTC";
  return tz;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isZone(tz: string): boolean {
  if (tz === "local" || tz.toLowerCase() === "utc") return true;
  try {
    formatter(resolveZone(tz));
    return true;
  } catch {
    // Intl throws a RangeError for a zone it does not know: that is the answer, not a failure.
    return false;
  }
}

export const dayOfWeek = (date: LocalDate): number => new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();

/** The offset read from Intl (slow: formatToParts). */
function intlOffsetMs(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(ms)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(ms / 1000) * 1000;
}

/** This process's offset through Date, to the second as intlOffsetMs reads it (see LOCAL_ZONE). */
function localOffsetMs(ms: number): number {
  const t = new Date(Math.floor(ms / 1000) * 1000);
  return Date.UTC(t.getFullYear(), t.getMonth(), t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds()) - t.getTime();
}

/**
 * Offsets change only on quarter-hour boundaries in every zone there is, so one Intl call per zone and quarter
 * hour is enough; the cache is cleared when it grows large. (A firing loop over 1,000 schedules asks a lot.)
 */
const QUARTER_MS = 900_000;
const offsets = new Map<string, number>();
const MAX_CACHED = 50_000;

/** How far `zone` is ahead of UTC at an instant. */
export function offsetMs(ms: number, zone: string): number {
  if (zone === "UTC") return 0;
  const start = Math.floor(ms / QUARTER_MS) * QUARTER_MS;
  const key = `${zone}|${start}`;
  let off = offsets.get(key);
  if (off === undefined) {
    if (offsets.size >= MAX_CACHED) offsets.clear();
    off = zone === LOCAL_ZONE ? localOffsetMs(start) : intlOffsetMs(start, zone);
    offsets.set(key, off);
  }
  return off;
}

/** The wall clock of `zone` at an instant. */
export function wallOf(ms: number, zone: string): Wall {
  const t = new Date(ms + offsetMs(ms, zone));
  const date = { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
  return { ...date, hh: t.getUTCHours(), mm: t.getUTCMinutes(), ss: t.getUTCSeconds(), dow: t.getUTCDay() };
}

/** The instant a local date and time happens in `zone` (see the top of the file for gaps and repeats). */
export function instantOf(date: LocalDate, minutes: number, zone: string): number {
  const wallUtc = Date.UTC(date.y, date.m - 1, date.d, Math.floor(minutes / 60), minutes % 60);
  const before = offsetMs(wallUtc - DAY_MS, zone);
  const after = offsetMs(wallUtc + DAY_MS, zone);
  const valid = [...new Set([before, after])].map((off) => wallUtc - off).filter((t) => offsetMs(t, zone) === wallUtc - t);
  if (valid.length > 0) return Math.min(...valid);
  // In the gap: read the wall time with the offset from before the change, which lands after the gap.
  return wallUtc - before;
}

export function addDays(date: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export const formatLocalDate = (date: LocalDate): string =>
  `${String(date.y).padStart(4, "0")}-${String(date.m).padStart(2, "0")}-${String(date.d).padStart(2, "0")}`;

/** `09:00` → minutes after midnight. */
export function parseLocalTime(text: string): number | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  const back = addDays(date, 0);
  return back.y === date.y && back.m === date.m && back.d === date.d ? date : undefined;
}

export interface TimeWindow {
  start: number;
  end: number;
}
/** `22:00-05:00` → minutes; the window may cross midnight; an empty window is refused. */
export function parseWindow(text: string): TimeWindow | undefined {
  const [a, b, ...rest] = text.split("-");
  if (a === undefined || b === undefined || rest.length > 0) return undefined;
  const start = parseLocalTime(a);
  const end = parseLocalTime(b);
  return start === undefined || end === undefined || start === end ? undefined : { start, end };
}

export function inWindow(minutes: number, w: TimeWindow): boolean {
  return w.start < w.end ? minutes >= w.start && minutes < w.end : minutes >= w.start || minutes < w.end;
}

type DayMatch = (date: LocalDate, dow: number) => boolean;
const daysInMonth = (date: LocalDate): number => new Date(Date.UTC(date.y, date.m, 0)).getUTCDate();
const weekday = (name: string): number | undefined => {
  const i = (WEEKDAYS as readonly string[]).indexOf(name.toLowerCase());
  return i < 0 ? undefined : i;
};

/** `mon`, `mon-fri` (wrapping ranges like `fri-mon` too), `tue#2` (second Tuesday), `friL` (last Friday). */
export function parseDaySpec(text: string): DayMatch | undefined {
  const t = text.trim();
  const nth = /^([a-z]{3})#([1-5])$/i.exec(t);
  if (nth) {
    const dow = weekday(nth[1]!);
    const n = Number(nth[2]);
    return dow === undefined ? undefined : (date, d) => d === dow && Math.ceil(date.d / 7) === n;
  }
  const last = /^([a-z]{3})L$/.exec(t);
  if (last) {
    const dow = weekday(last[1]!);
    return dow === undefined ? undefined : (date, d) => d === dow && date.d + 7 > daysInMonth(date);
  }
  const range = /^([a-z]{3})-([a-z]{3})$/i.exec(t);
  if (range) {
    const from = weekday(range[1]!);
    const to = weekday(range[2]!);
    if (from === undefined || to === undefined) return undefined;
    return (_date, d) => (from <= to ? d >= from && d <= to : d >= from || d <= to);
  }
  const one = weekday(t);
  return one === undefined ? undefined : (_date, d) => d === one;
}

/** The calendar part of a schedule, as the schema keeps it. */
export interface CalendarSpec {
  at: string | string[];
  days?: string[] | undefined;
  date?: string | undefined;
}

/** Fire instants of a calendar in `zone`, strictly after `afterMs`, ascending, at most `count`, within `horizonDays`. */
export function calendarAfter(cal: CalendarSpec, zone: string, afterMs: number, count: number, horizonDays = 400): number[] {
  const times = (Array.isArray(cal.at) ? cal.at : [cal.at]).map((t) => parseLocalTime(t)!).sort((a, b) => a - b);
  const matchers = (cal.days ?? []).map((d) => parseDaySpec(d)!);
  const only = cal.date !== undefined ? parseLocalDate(cal.date) : undefined;
  const out: number[] = [];
  let date: LocalDate = addDays(wallOf(afterMs, zone), -1);
  for (let i = 0; i < horizonDays && out.length < count; i++, date = addDays(date, 1)) {
    if (only && formatLocalDate(only) !== formatLocalDate(date)) {
      if (formatLocalDate(date) > formatLocalDate(only)) break;
      continue;
    }
    const dow = dayOfWeek(date);
    if (matchers.length > 0 && !matchers.some((f) => f(date, dow))) continue;
    for (const minutes of times) {
      const t = instantOf(date, minutes, zone);
      if (t > afterMs && !out.includes(t) && out.length < count) out.push(t);
    }
  }
  return out.sort((a, b) => a - b);
}

/** The latest fire instant of a calendar at or before `atMs`, looking back at most `horizonDays`. */
export function calendarAtOrBefore(cal: CalendarSpec, zone: string, atMs: number, horizonDays = 400): number | undefined {
  const times = (Array.isArray(cal.at) ? cal.at : [cal.at]).map((t) => parseLocalTime(t)!);
  const matchers = (cal.days ?? []).map((d) => parseDaySpec(d)!);
  const only = cal.date !== undefined ? parseLocalDate(cal.date) : undefined;
  let date: LocalDate = addDays(wallOf(atMs, zone), 1);
  for (let i = 0; i < horizonDays; i++, date = addDays(date, -1)) {
    if (only && formatLocalDate(only) !== formatLocalDate(date)) continue;
    const dow = dayOfWeek(date);
    if (matchers.length > 0 && !matchers.some((f) => f(date, dow))) continue;
    const fit = times.map((m) => instantOf(date, m, zone)).filter((t) => t <= atMs);
    if (fit.length > 0) return Math.max(...fit);
  }
  return undefined;
}

/** What may stop a fire at a given instant; all local values are read in `zone`. */
export interface FireRules {
  zone: string;
  window?: TimeWindow | undefined;
  skipDates: ReadonlySet<string>;
  activeFrom?: number | undefined;
  activeUntil?: number | undefined;
}

export type Blocked = "not_active_yet" | "no_longer_active" | "skip_date" | "outside_window";

/** Why nothing may fire at `ms`, or undefined when a fire is allowed. */
export function blockedAt(ms: number, rules: FireRules): Blocked | undefined {
  if (rules.activeFrom !== undefined && ms < rules.activeFrom) return "not_active_yet";
  if (rules.activeUntil !== undefined && ms >= rules.activeUntil) return "no_longer_active";
  const w = wallOf(ms, rules.zone);
  if (rules.skipDates.has(formatLocalDate(w))) return "skip_date";
  if (rules.window && !inWindow(w.hh * 60 + w.mm, rules.window)) return "outside_window";
  return undefined;
}

/** The first instant in [fromMs, beforeMs) at which a fire is allowed, or undefined. */
export function firstAllowed(fromMs: number, beforeMs: number, rules: FireRules): number | undefined {
  let t = fromMs;
  for (let i = 0; i < 1_000 && t < beforeMs; i++) {
    const why = blockedAt(t, rules);
    if (why === undefined) return t;
    if (why === "no_longer_active") return undefined;
    const w = wallOf(t, rules.zone);
    if (why === "not_active_yet") t = rules.activeFrom!;
    else if (why === "skip_date") t = instantOf(addDays(w, 1), 0, rules.zone);
    else t = windowOpenAfter(w, rules.window!, rules.zone);
  }
  return undefined;
}

/** When the window that is open at `ms` closes (the close of the window crossing midnight is the next day's). */
export function windowCloseAfter(ms: number, w: TimeWindow, zone: string): number {
  const wall = wallOf(ms, zone);
  const minutes = wall.hh * 60 + wall.mm;
  const nextDay = w.start > w.end && minutes >= w.start;
  return instantOf(nextDay ? addDays(wall, 1) : wall, w.end, zone);
}

function windowOpenAfter(wall: Wall, w: TimeWindow, zone: string): number {
  const minutes = wall.hh * 60 + wall.mm;
  return instantOf(minutes < w.start ? wall : addDays(wall, 1), w.start, zone);
}

/** `2026-12-24` (midnight in `zone`) or an RFC 3339 instant. */
export function instantOfText(text: string, zone: string): number {
  const date = parseLocalDate(text);
  return date ? instantOf(date, 0, zone) : Date.parse(text);
}
