/** What the schedules routes answer (`/api/schedules…`), shared by the backend, the CLI and the web UI. */
import * as z from "zod";
import { RUNS_ON, scheduleSchema } from "./schedule.js";

export const SCHEDULE_KINDS = ["per_pc", "per_target", "calendar"] as const;
export const scheduleKindSchema = z.enum(SCHEDULE_KINDS);

export const scheduleSummarySchema = z.object({
  id: z.string(),
  job: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  runs_on: z.enum(RUNS_ON),
  kind: scheduleKindSchema,
  /** The `when` rule in one line, e.g. `calendar 03:00 mon-fri (Europe/Berlin)`. */
  rule: z.string(),
  /** The next planned fire of a whole-target schedule (null for per_pc ones, or when none is planned). */
  next_fire_at: z.string().nullable(),
  last_fired_at: z.string().nullable(),
});
export type ScheduleSummary = z.infer<typeof scheduleSummarySchema>;

export const scheduleDetailSchema = scheduleSummarySchema.extend({ schedule: scheduleSchema, yaml: z.string() });
export type ScheduleDetail = z.infer<typeof scheduleDetailSchema>;

export const scheduleStoredSchema = z.object({ id: z.string(), job: z.string(), enabled: z.boolean() });

export const plannedFireSchema = z.object({ occurrence: z.string(), fire_at: z.string() });
export const schedulePreviewSchema = z.object({
  id: z.string(),
  /** The zone the rule is read in (`local` resolved to the backend's zone). */
  zone: z.string(),
  /** per_pc schedules fire per PC, counted from each PC's own last result: they have no fleet-wide fire times. */
  per_pc: z.boolean(),
  fires: z.array(plannedFireSchema),
});
export type SchedulePreview = z.infer<typeof schedulePreviewSchema>;

export const COVERAGE_STATES = ["ok", "failed", "skipped", "running", "pending", "not_yet_due"] as const;
export const coverageStateSchema = z.enum(COVERAGE_STATES);
export type CoverageState = z.infer<typeof coverageStateSchema>;

export const coverageRowSchema = z.object({
  pc_id: z.string(),
  state: coverageStateSchema,
  online: z.boolean().nullable(),
  exec_id: z.string().nullable(),
  fired_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  /** The job version the PC ran (from its result). */
  version: z.string().nullable(),
});
export type CoverageRow = z.infer<typeof coverageRowSchema>;

export const coverageCountsSchema = z.object(Object.fromEntries(COVERAGE_STATES.map((s) => [s, z.number().int()])) as Record<CoverageState, z.ZodNumber>);
export const scheduleCoverageSchema = z.object({ id: z.string(), job: z.string(), total: z.number().int(), counts: coverageCountsSchema, items: z.array(coverageRowSchema) });
export type ScheduleCoverage = z.infer<typeof scheduleCoverageSchema>;

export const scheduleFireSchema = z.object({
  occurrence: z.string(),
  pc_id: z.string().nullable(),
  exec_id: z.string().nullable(),
  fired_at: z.string(),
  deadline_at: z.string().nullable(),
});
export const scheduleStatusSchema = z.object({
  id: z.string(),
  enabled: z.boolean(),
  runs_on: z.enum(RUNS_ON),
  /** Why nothing fires right now (disabled, a freeze, outside the window…), or null. */
  held: z.string().nullable(),
  next_fires: z.array(plannedFireSchema),
  recent_fires: z.array(scheduleFireSchema),
  counts: coverageCountsSchema,
});
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>;

export const scheduleToggleBodySchema = z
  .object({
    /** disable only: withdraw the queued commands of the schedule's running executions (offline PCs never get them). */
    cascade: z.boolean().optional(),
    /** disable only: also kill the runs in progress. */
    cascade_kill: z.boolean().optional(),
  })
  .strict();
export const scheduleToggledSchema = z.object({
  id: z.string(),
  enabled: z.boolean(),
  /** Executions whose queued commands were withdrawn (cascade) or that were killed (cascade_kill). */
  withdrawn: z.array(z.string()),
  killed: z.array(z.string()),
});
export const scheduleDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
