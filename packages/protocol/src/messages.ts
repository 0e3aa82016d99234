/** Wire messages (SPEC §4): JSON, snake_case, validated on receipt; unknown fields are dropped. */
import * as z from "zod";
import { MAX_TIMER_SECS, MAX_TIMER_TEXT, boundedDuration } from "./duration.js";
import { JOB_ID_RE, PC_ID_RE, UUID_RE } from "./ids.js";
import { commandTargetSchema, signatureSchema } from "./signing.js";

export const SHELLS = ["powershell", "pwsh", "cmd", "sh", "bash"] as const;
export const shellSchema = z.enum(SHELLS);
export type Shell = z.infer<typeof shellSchema>;

export const RUN_AS = ["system", "user", "system_gui"] as const;
export const runAsSchema = z.enum(RUN_AS);
export type RunAs = z.infer<typeof runAsSchema>;

export const RESULT_STATUSES = ["succeeded", "failed", "timed_out", "killed", "skipped", "error"] as const;
export const resultStatusSchema = z.enum(RESULT_STATUSES);
export type ResultStatus = z.infer<typeof resultStatusSchema>;

// Every duration on the wire becomes a timer somewhere, so all of them are capped at 24d.
const durationText = boundedDuration();
const isoTime = z.iso.datetime({ offset: true });
const uuid = z.string().regex(UUID_RE, "expected a UUID");
export const pcIdSchema = z.string().regex(PC_ID_RE, "expected a pc_id (letters, digits, _ and -, at most 63)");
export const jobIdSchema = z.string().regex(JOB_ID_RE, "expected a job id (lowercase letters, digits, _ - and single dots between them; at most 64)");

export const stalenessSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("cached") }),
  z.object({ mode: z.literal("strict"), max_cache_age: durationText.default("0s") }),
  z.object({ mode: z.literal("unchecked") }),
]);
export type Staleness = z.infer<typeof stalenessSchema>;

export const commandSchema = z
  .object({
    request_id: uuid,
    exec_id: uuid,
    job_id: jobIdSchema,
    version: z.string().min(1),
    shell: shellSchema,
    script: z.string().optional(),
    script_object: z.string().optional(),
    script_sha256: z.string().optional(),
    timeout_secs: z.number().int().positive().max(MAX_TIMER_SECS, `must be at most ${MAX_TIMER_TEXT}`),
    jitter_secs: z.number().int().nonnegative().max(MAX_TIMER_SECS, `must be at most ${MAX_TIMER_TEXT}`).optional(),
    run_as: runAsSchema.default("system"),
    cwd: z.string().optional(),
    deadline_at: isoTime.optional(),
    staleness: stalenessSchema.default({ mode: "cached" }),
    inventory: z.boolean().optional(),
    issued_at: isoTime,
    issued_by: z.string(),
    /** Whom it was issued for, bound into the signature (an agent refuses a command replayed elsewhere). */
    target: commandTargetSchema.optional(),
    /** After this the signature no longer counts (EXEC's max age at the latest). */
    expires_at: isoTime.optional(),
    signature: signatureSchema.optional(),
  })
  .refine((c) => (c.script !== undefined) !== (c.script_object !== undefined), {
    message: "exactly one of script / script_object",
    path: ["script"],
  });
export type Command = z.infer<typeof commandSchema>;

export const execResultSchema = z.object({
  result_id: uuid,
  exec_id: uuid,
  request_id: uuid,
  job_id: z.string(),
  version: z.string(),
  pc_id: pcIdSchema,
  status: resultStatusSchema,
  exit_code: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  /** True when stdout was longer than the inline cap; the inline text is the head. */
  stdout_truncated: z.boolean().default(false),
  stderr_truncated: z.boolean().default(false),
  stdout_object: z.string().optional(),
  stderr_object: z.string().optional(),
  started_at: isoTime.nullable(),
  finished_at: isoTime,
  skip_reason: z.string().optional(),
  error: z.string().optional(),
  run_as: runAsSchema.optional(),
});
export type ExecResult = z.infer<typeof execResultSchema>;

/** `events.started.<exec_id>.<pc_id>`: a run began (after the gates and the jitter sleep). */
export const startedEventSchema = z.object({
  exec_id: uuid,
  request_id: uuid,
  result_id: uuid,
  job_id: z.string(),
  version: z.string(),
  pc_id: pcIdSchema,
  started_at: isoTime,
});
export type StartedEvent = z.infer<typeof startedEventSchema>;

/** Body of core `kill.<exec_id>`. */
export const killMessageSchema = z.object({
  exec_id: uuid,
  issued_by: z.string(),
  issued_at: isoTime,
  expires_at: isoTime.optional(),
  signature: signatureSchema.optional(),
});
export type KillMessage = z.infer<typeof killMessageSchema>;

export const heartbeatSchema = z.object({
  pc_id: pcIdSchema,
  at: isoTime,
  agent_version: z.string(),
  hostname: z.string(),
  os_family: z.string(),
  os_version: z.string(),
  boot_time: isoTime.nullable(),
  logged_in_user: z.string().optional(),
  agent_rss_bytes: z.number().nonnegative(),
  agent_cpu_pct: z.number().nonnegative(),
  groups: z.array(z.string()),
  quarantined_versions: z.array(z.string()).optional(),
  /** The interval the agent is heartbeating at, so the backend can judge "online" per agent. */
  heartbeat_interval_secs: z.number().positive().optional(),
  /** The kanade-client version last seen in a KLP handshake on this PC since the agent started. */
  client_version: z.string().min(1).max(64).optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const hostPerfSchema = z.object({
  pc_id: pcIdSchema,
  at: isoTime,
  cpu_pct: z.number(),
  cpu_count: z.number().int(),
  mem_used_bytes: z.number(),
  mem_total_bytes: z.number(),
  disk_read_bytes_per_sec: z.number(),
  disk_write_bytes_per_sec: z.number(),
  net_rx_bytes_per_sec: z.number(),
  net_tx_bytes_per_sec: z.number(),
});
export type HostPerf = z.infer<typeof hostPerfSchema>;

export const processPerfSchema = z.object({
  pc_id: pcIdSchema,
  at: isoTime,
  top: z.array(z.object({ pid: z.number().int(), name: z.string(), cpu_pct: z.number(), rss_bytes: z.number() })),
});
export type ProcessPerf = z.infer<typeof processPerfSchema>;

export const configScopeSchema = z
  .object({
    target_version: z.string().min(1),
    target_version_jitter: durationText,
    heartbeat_interval: durationText,
    host_perf_interval: durationText,
    inventory_interval: durationText,
    inventory_jitter: durationText,
    inventory_enabled: z.boolean(),
  })
  .partial()
  .strict();
export type ConfigScope = z.infer<typeof configScopeSchema>;

export const CONFIG_DEFAULTS = {
  heartbeat_interval: "30s",
  host_perf_interval: "60s",
  inventory_interval: "24h",
  inventory_jitter: "10m",
  inventory_enabled: true,
} as const satisfies ConfigScope;

/**
 * KV `agent_groups`: `groups` is what agents follow (static ∪ dynamic). The backend also keeps which are
 * static (set by operators) and which dynamic (materialised from group queries); an entry without them is all static.
 */
export const agentGroupsSchema = z.object({ groups: z.array(z.string()), static: z.array(z.string()).optional(), dynamic: z.array(z.string()).optional() });
export type AgentGroups = z.infer<typeof agentGroupsSchema>;

/** Normalizes a group list the way the `agent_groups` bucket stores it: sorted, deduplicated. */
export function normalizeGroups(groups: readonly string[]): string[] {
  return [...new Set(groups)].sort();
}
