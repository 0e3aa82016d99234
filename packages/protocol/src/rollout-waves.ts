/**
 * Rollout waves: a job sent to its target wave by wave. A later wave starts only when its time has come and
 * the failure rate of the waves so far is under the threshold (judged once `min_results` PCs answered);
 * otherwise the rollout aborts, says why, and the remaining PCs are never sent the command.
 */
import * as z from "zod";
import { boundedDuration } from "./duration.js";
import { GROUP_RE, JOB_ID_RE, PC_ID_RE } from "./ids.js";
import { OBJECT_SEGMENT_RE } from "./releases.js";

export const waveSpecSchema = z
  .object({
    group: z.string().regex(GROUP_RE, "expected a group name").optional(),
    pcs: z.array(z.string().regex(PC_ID_RE, "expected a pc_id")).min(1).optional(),
    percent: z.number().min(1, "must be 1-100").max(100, "must be 1-100").optional(),
    /** After the rollout started. */
    after: boundedDuration("0m, 30m, 2h"),
  })
  .strict()
  .refine((w) => [w.group, w.pcs, w.percent].filter((x) => x !== undefined).length === 1, "give exactly one of group, pcs, percent");
export type WaveSpec = z.infer<typeof waveSpecSchema>;

export const rolloutSpecSchema = z.object({
  waves: z.array(waveSpecSchema).min(1, "give at least one wave"),
  abort_if_failure_rate: z.number().min(0, "must be 0-1").max(1, "must be 0-1").default(0.2),
  min_results: z.number().int().min(1, "must be at least 1").default(5),
});
export type RolloutSpec = z.infer<typeof rolloutSpecSchema>;

const rolloutTargetSchema = z
  .object({
    pcs: z.array(z.string().regex(PC_ID_RE, "expected a pc_id")).min(1).optional(),
    groups: z.array(z.string().regex(GROUP_RE, "expected a group name")).min(1).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((t) => t.pcs !== undefined || t.groups !== undefined || t.all === true, "one of pcs, groups or all is required");

export const rolloutStartSchema = z
  .object({
    job: z.string().regex(JOB_ID_RE, "expected a job id"),
    target: rolloutTargetSchema,
    jitter: boundedDuration("30s, 5m").optional(),
    during_freeze: z.boolean().optional(),
  })
  .extend(rolloutSpecSchema.shape)
  .strict();
export type RolloutStart = z.infer<typeof rolloutStartSchema>;

/** How long an updated PC has to come back on the target version before it counts as failed. */
export const DEFAULT_AGENT_UPDATE_DEADLINE = "10m";

/**
 * An agent self-update sent wave by wave (`POST /api/agent-rollout/waves`): each wave sets target_version on
 * its PCs. A PC succeeded once it reports the version; it failed when it rolled the version back (quarantined
 * it) or still reports another version after `deadline`; while it is silent it is pending.
 */
export const agentRolloutStartSchema = z
  .object({
    version: z.string().regex(OBJECT_SEGMENT_RE, "expected a version"),
    target: rolloutTargetSchema,
    jitter: boundedDuration("30s, 5m").optional(),
    deadline: boundedDuration("10m, 1h").default(DEFAULT_AGENT_UPDATE_DEADLINE),
  })
  .extend(rolloutSpecSchema.shape)
  .strict();
export type AgentRolloutStart = z.infer<typeof agentRolloutStartSchema>;

export const ROLLOUT_KINDS = ["job", "agent_update"] as const;
export type RolloutKind = (typeof ROLLOUT_KINDS)[number];

export const ROLLOUT_STATES = ["running", "paused", "aborted", "completed"] as const;
export const WAVE_STATES = ["waiting", "sent"] as const;

export const rolloutWaveViewSchema = z.object({
  index: z.number().int(),
  spec: waveSpecSchema,
  state: z.enum(WAVE_STATES),
  due_at: z.string(),
  exec_id: z.string().nullable(),
  sent_at: z.string().nullable(),
  pc_count: z.number().int(),
});

export const rolloutViewSchema = z.object({
  id: z.string(),
  kind: z.enum(ROLLOUT_KINDS),
  /** The job sent (kind job); null for an agent update. */
  job_id: z.string().nullable(),
  /** The agent version rolled out (kind agent_update); null for a job. */
  agent_version: z.string().nullable(),
  state: z.enum(ROLLOUT_STATES),
  reason: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
  abort_if_failure_rate: z.number(),
  min_results: z.number().int(),
  target_count: z.number().int(),
  sent: z.number().int(),
  answered: z.number().int(),
  failed: z.number().int(),
  failure_rate: z.number().nullable(),
  waves: z.array(rolloutWaveViewSchema),
});
export type RolloutView = z.infer<typeof rolloutViewSchema>;

/** `canary:0m,wave1:30m,100%:2h` → wave specs (group:after, N%:after). */
export function parseWaves(text: string): { ok: true; waves: WaveSpec[] } | { ok: false; message: string } {
  const waves: WaveSpec[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(.+):([0-9a-z]+)$/.exec(part);
    if (!m) return { ok: false, message: `"${part}": expected <group>:<after> or <N>%:<after>, e.g. canary:0m` };
    const [, who, after] = m as unknown as [string, string, string];
    const pct = /^(\d{1,3})%$/.exec(who);
    const r = waveSpecSchema.safeParse(pct ? { percent: Number(pct[1]), after } : { group: who, after });
    if (!r.success) return { ok: false, message: `"${part}": ${r.error.issues[0]?.message ?? "invalid"}` };
    waves.push(r.data);
  }
  return waves.length > 0 ? { ok: true, waves } : { ok: false, message: "give at least one wave" };
}
