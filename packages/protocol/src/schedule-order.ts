/**
 * Standing orders: how a `runs_on: agent` schedule reaches the PCs. The backend signs, per schedule, the
 * schedule's rules together with the exact command the operator approved (job id, version, script or its
 * digest, shell, timeout, …) and keeps it in the `schedule_orders` KV bucket under the schedule's id. Agents
 * cache it, verify its signature with their trusted command keys exactly as for a Command, and fire it on
 * their own clock — also while the broker is away. Both sides name an occurrence the same way and derive its
 * exec_id from it (UUID v5), so a result the PC ships late joins the execution the backend opened for it.
 */
import * as z from "zod";
import { MAX_TIMER_SECS, MAX_TIMER_TEXT, parseDurationMs } from "./duration.js";
import { jobIdSchema, runAsSchema, shellSchema, stalenessSchema } from "./messages.js";
import { commandDeadline, fireRules, isBeforeActive, latestOccurrence } from "./schedule-plan.js";
import { scheduleSchema, type Schedule } from "./schedule-schema.js";
import { blockedAt, firstAllowed } from "./schedule-time.js";
import { signatureSchema } from "./signing.js";

/** The namespace of UUID v5 exec_ids of agent-side occurrences (`uuidv5(scheduleExecName(...), NS)`). */
export const SCHEDULE_EXEC_NAMESPACE = "8a4f3c2e-1b6d-5e7f-9a0b-2c3d4e5f6a7b";

/** The name an occurrence's exec_id is derived from: a schedule re-created or re-enabled (new `since`) starts afresh. */
export const scheduleExecName = (scheduleId: string, since: string, occurrence: string): string => `kanade/schedule/${scheduleId}/${since}/${occurrence}`;

/** What runs: the Command's content, minus what each fire adds (exec_id, request_id, deadline, jitter). */
export const orderCommandSchema = z.object({
  job_id: jobIdSchema,
  version: z.string().min(1),
  shell: shellSchema,
  script: z.string().optional(),
  script_object: z.string().optional(),
  script_sha256: z.string().optional(),
  timeout_secs: z.number().int().positive().max(MAX_TIMER_SECS, `must be at most ${MAX_TIMER_TEXT}`),
  run_as: runAsSchema,
  cwd: z.string().optional(),
  staleness: stalenessSchema,
  inventory: z.boolean().optional(),
});
export type OrderCommand = z.infer<typeof orderCommandSchema>;

export const standingOrderSchema = z.object({
  schedule_id: z.string(),
  schedule: scheduleSchema,
  /** The instant the schedule last became active: occurrences before it never fire. */
  since: z.iso.datetime({ offset: true }),
  command: orderCommandSchema,
  issued_at: z.iso.datetime({ offset: true }),
  issued_by: z.string(),
  signature: signatureSchema.optional(),
});
export type StandingOrder = z.infer<typeof standingOrderSchema>;

/** Whether a PC (with its groups) is in the schedule's target. */
export function orderTargets(s: Schedule, pcId: string, groups: readonly string[]): boolean {
  const t = s.target;
  return t.all === true || (t.pcs ?? []).includes(pcId) || (t.groups ?? []).some((g) => groups.includes(g));
}

/** An occurrence that is due now: its key (what exec_id derives from), its instant, and the command's deadline. */
export interface DueOccurrence {
  key: string;
  at: number;
  deadline: number | undefined;
}

/**
 * The occurrence of an agent-side schedule that may fire at `nowMs`, or undefined: per_pc `once` is `once`,
 * `once_per_version` is `v<version>`, a calendar or per_target occurrence is its instant (ISO). The window,
 * skip_dates, active and starting_deadline apply; whether it already fired is the caller's to know.
 */
export function dueOccurrence(s: Schedule, since: number, version: string, nowMs: number): DueOccurrence | undefined {
  const rules = fireRules(s);
  if (!s.enabled || blockedAt(nowMs, rules) !== undefined) return undefined;
  const mode = s.when.per_pc;
  if (mode !== undefined) {
    if (typeof mode !== "string" || nowMs < since) return undefined;
    return { key: mode === "once" ? "once" : `v${version}`, at: since, deadline: commandDeadline(s, nowMs, nowMs, rules) };
  }
  const occ = latestOccurrence(s, nowMs, rules);
  if (!occ || nowMs >= occ.expires || occ.at < since || isBeforeActive(occ.at, rules)) return undefined;
  return { key: new Date(occ.at).toISOString(), at: occ.at, deadline: commandDeadline(s, occ.at, nowMs, rules) };
}

/**
 * For the backend: the occurrence whose execution should exist at `nowMs` — the latest one that the PCs may
 * fire at some moment of its life (its window and skip_dates allow it before it expires), from its time on,
 * whether or not a PC fired it yet. A backend that was down over its window still opens it when it is back.
 * PCs evaluate `local` in their own zone and the backend in its own: give such schedules an explicit `tz` when
 * the two differ.
 */
export function openOccurrence(s: Schedule, since: number, version: string, nowMs: number): DueOccurrence | undefined {
  if (!s.enabled) return undefined;
  const rules = fireRules(s);
  const mode = s.when.per_pc;
  if (mode !== undefined) {
    if (typeof mode !== "string" || nowMs < since || isBeforeActive(nowMs, rules)) return undefined;
    if (rules.activeUntil !== undefined && nowMs >= rules.activeUntil) return undefined;
    return { key: mode === "once" ? "once" : `v${version}`, at: since, deadline: undefined };
  }
  const occ = latestOccurrence(s, nowMs, rules);
  if (!occ || occ.at < since || isBeforeActive(occ.at, rules)) return undefined;
  if (firstAllowed(occ.at, occ.expires, rules) === undefined) return undefined;
  return { key: new Date(occ.at).toISOString(), at: occ.at, deadline: Number.isFinite(occ.expires) ? occ.expires : undefined };
}

/** The jitter of a fire, in whole seconds. */
export const orderJitterSecs = (s: Schedule): number | undefined => (s.jitter !== undefined ? Math.round(parseDurationMs(s.jitter)! / 1000) : undefined);
