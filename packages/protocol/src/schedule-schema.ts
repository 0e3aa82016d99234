/**
 * Schedule documents (`kanade schedule create`, `POST /api/schedules`, the `schedules` KV bucket), validated as
 * strictly as job manifests, every problem reported with the path of its field. No YAML here: the agent reads
 * schedules (its standing orders) through the wire entry; schedule.ts parses the YAML.
 */
import * as z from "zod";
import { boundedDuration, parseDurationMs } from "./duration.js";
import { GROUP_RE, JOB_ID_RE, PC_ID_RE } from "./ids.js";
import { issueFromZod, type ManifestIssue } from "./manifest-issue.js";
import { rolloutSpecSchema } from "./rollout-waves.js";
import { isZone, parseDaySpec, parseLocalDate, parseLocalTime, parseWindow } from "./schedule-time.js";

/** An interval a schedule repeats on: at least a minute, at most a year. */
const MIN_EVERY_MS = 60_000;
const MAX_EVERY_MS = 366 * 86_400_000;
const interval = z.string().superRefine((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) ctx.addIssue({ code: "custom", message: "expected a duration like 30m, 6h or 7d" });
  else if (ms < MIN_EVERY_MS) ctx.addIssue({ code: "custom", message: "must be at least 1m" });
  else if (ms > MAX_EVERY_MS) ctx.addIssue({ code: "custom", message: "must be at most 366d" });
});
const every = z.object({ every: interval }, { error: "expected {every: <duration>}" }).strict();

const localTime = z.string().refine((t) => parseLocalTime(t) !== undefined, "expected a time of day like 09:00 or 21:30");
const localDate = z.string().refine((d) => parseLocalDate(d) !== undefined, "expected a date like 2026-12-24");
const instantOrDate = z
  .string()
  .refine((s) => parseLocalDate(s) !== undefined || !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s), "expected a date (2026-12-24) or a time with an offset (2026-12-24T03:00:00Z)");

const daySpec = z.string().refine((d) => parseDaySpec(d) !== undefined, {
  message: "expected a day like mon, mon-fri, tue#2 (second Tuesday) or friL (last Friday)",
});

const calendar = z
  .object({
    at: z.union([localTime, z.array(localTime).min(1, "give at least one time")]),
    days: z.array(daySpec).min(1, "give at least one day, or leave days out for every day").optional(),
    date: localDate.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.date !== undefined && c.days !== undefined) {
      ctx.addIssue({ code: "custom", path: ["days"], message: "a one-shot date and days cannot be combined" });
    }
  });

export const SCHEDULE_PER_PC_MODES = ["once", "once_per_version"] as const;
export const RUNS_ON = ["backend", "agent"] as const;

const when = z
  .object(
    {
      per_pc: z.union([z.enum(SCHEDULE_PER_PC_MODES, { error: "expected once, once_per_version or {every: 6h}" }), every]).optional(),
      per_target: every.optional(),
      calendar: calendar.optional(),
      tz: z.string().refine(isZone, "expected local, utc or an IANA time zone like Europe/Berlin").default("local"),
      active: z.object({ from: instantOrDate.optional(), until: instantOrDate.optional() }).strict().optional(),
    },
    { error: "required" },
  )
  .strict()
  .superRefine((w, ctx) => {
    const kinds = (["per_pc", "per_target", "calendar"] as const).filter((k) => w[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: kinds.length === 0 ? "exactly one of per_pc, per_target, calendar is required" : `exactly one of per_pc, per_target, calendar may be set; found ${kinds.join(", ")}`,
      });
    }
  });

/** Which PCs: `pcs`, `groups` and/or `all: true` (schedules, notifications). */
export const fleetTargetSchema = z
  .object(
    {
      pcs: z.array(z.string().regex(PC_ID_RE, "expected a pc_id")).min(1).optional(),
      groups: z.array(z.string().regex(GROUP_RE, "expected a group name")).min(1).optional(),
      all: z.literal(true, { error: "expected true (leave it out otherwise)" }).optional(),
    },
    { error: "required" },
  )
  .strict()
  .refine((t) => t.pcs !== undefined || t.groups !== undefined || t.all === true, "one of pcs, groups or all is required");

const constraints = z
  .object({
    window: z.string().refine((w) => parseWindow(w) !== undefined, "expected a window like 22:00-05:00 (it may cross midnight)").optional(),
    skip_dates: z.array(localDate).optional(),
    max_concurrent: z.number({ error: "expected a whole number" }).int("expected a whole number").min(1, "must be at least 1").optional(),
  })
  .strict();

/** Bounds of `user_defer`: a deferral moves a fire by at least a minute, never more than a week in total. */
export const USER_DEFER_LIMITS = { minDelayMs: 60_000, maxDelayMs: 7 * 86_400_000, maxTimes: 20 } as const;

const deferDelay = z.string({ error: "required (a duration like 30m or 4h)" }).superRefine((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) ctx.addIssue({ code: "custom", message: "expected a duration like 30m or 4h" });
  else if (ms < USER_DEFER_LIMITS.minDelayMs) ctx.addIssue({ code: "custom", message: "must be at least 1m" });
  else if (ms > USER_DEFER_LIMITS.maxDelayMs) ctx.addIssue({ code: "custom", message: "must be at most 7d" });
});

/** How far, and how often, the person at a PC may put off this PC's next occurrence (KLP maintenance.defer). */
export const userDeferSchema = z
  .object(
    {
      max_delay: deferDelay,
      max_times: z
        .number({ error: "required (a whole number of deferrals, 1 to 20)" })
        .int("expected a whole number")
        .min(1, "must be at least 1")
        .max(USER_DEFER_LIMITS.maxTimes, `must be at most ${USER_DEFER_LIMITS.maxTimes}`),
    },
    { error: "expected {max_delay: <duration>, max_times: <n>}" },
  )
  .strict();
export type UserDefer = z.infer<typeof userDeferSchema>;

export const scheduleSchema = z
  .object({
    id: z.string({ error: "required" }).regex(JOB_ID_RE, "expected an id like nightly-cleanup (at most 64 lowercase letters, digits, _ -, and dots between parts)"),
    job: z.string({ error: "required" }).regex(JOB_ID_RE, "expected a job id"),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    runs_on: z.enum(RUNS_ON).default("backend"),
    when,
    target: fleetTargetSchema,
    constraints: constraints.default({}),
    // Becomes the command's jitter (capped like exec --jitter).
    jitter: boundedDuration("30s, 5m, 1h").optional(),
    // Becomes the command's deadline_at: fire time + this. Past it the agent answers 125 instead of running.
    starting_deadline: boundedDuration("30m, 2h").optional(),
    // Each fire goes out wave by wave (rollouts), aborting when the failure rate reaches the threshold.
    rollout: rolloutSpecSchema.optional(),
    // The user at the PC may put off this PC's next occurrence; absent: they cannot (runs_on: agent only).
    user_defer: userDeferSchema.optional(),
  })
  // A misspelt key (`skip_date:`) must not silently mean "no constraint".
  .strict()
  .superRefine((s, ctx) => {
    const a = s.when.active;
    if (a?.from !== undefined && a.until !== undefined && a.from >= a.until && parseLocalDate(a.from) && parseLocalDate(a.until)) {
      ctx.addIssue({ code: "custom", path: ["when", "active", "until"], message: "must be after from" });
    }
    if (s.rollout !== undefined && s.when.per_pc !== undefined) {
      ctx.addIssue({ code: "custom", path: ["rollout"], message: "needs a per_target or calendar rule (per_pc fires each PC on its own)" });
    }
    if (s.rollout !== undefined && s.constraints.max_concurrent !== undefined) {
      ctx.addIssue({ code: "custom", path: ["constraints", "max_concurrent"], message: "cannot be combined with rollout (the waves pace the fan-out)" });
    }
    if (s.runs_on === "agent" && s.constraints.max_concurrent !== undefined) {
      ctx.addIssue({ code: "custom", path: ["constraints", "max_concurrent"], message: "needs runs_on: backend (agents fire on their own)" });
    }
    if (s.runs_on === "agent" && s.rollout !== undefined) {
      ctx.addIssue({ code: "custom", path: ["rollout"], message: "needs runs_on: backend (agents fire on their own)" });
    }
    if (s.user_defer !== undefined && s.runs_on !== "agent") {
      // The backend fires runs_on: backend occurrences; an agent cannot hold back a command it is sent.
      ctx.addIssue({ code: "custom", path: ["user_defer"], message: "needs runs_on: agent (only an agent that fires on its own can put off its fire)" });
    }
    if (s.runs_on === "agent" && typeof s.when.per_pc === "object") {
      // An agent-side occurrence must be named the same on the PC and on the backend (its exec_id derives from it).
      ctx.addIssue({ code: "custom", path: ["when", "per_pc"], message: "runs_on: agent takes per_pc once or once_per_version; for an interval use per_target: {every: ...}" });
    }
  });

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleWhen = Schedule["when"];
export type ScheduleTarget = Schedule["target"];
export type FleetTarget = z.infer<typeof fleetTargetSchema>;

export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; issues: ManifestIssue[] };

/** Validates an already-parsed schedule (JSON body or YAML document); never throws. */
export function validateSchedule(input: unknown): ScheduleParse {
  const r = scheduleSchema.safeParse(input);
  return r.success ? { ok: true, schedule: r.data } : { ok: false, issues: r.error.issues.map(issueFromZod) };
}

/**
 * What the `schedules` KV bucket holds under a schedule's id: the validated schedule, its YAML as submitted, and
 * `since`, the instant it last became active (created, replaced or enabled): occurrences before it never fire.
 */
export const storedScheduleSchema = z.object({ schedule: scheduleSchema, yaml: z.string(), since: z.iso.datetime({ offset: true }).optional() });
export type StoredSchedule = z.infer<typeof storedScheduleSchema>;
