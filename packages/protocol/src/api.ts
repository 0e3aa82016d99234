/**
 * HTTP API shapes shared by the backend (produces them) and the CLI / SPA (validate them on receipt).
 * Response schemas use plain `z.object`, which drops unknown keys: an older client reads a newer
 * server. Request bodies are `.strict()`. SPEC §7; the route table is `http/routes.ts`.
 */
import * as z from "zod";
import { boundedDuration } from "./duration.js";
import { GROUP_RE, PC_ID_RE } from "./ids.js";
import { manifestSchema } from "./manifest.js";
import { heartbeatSchema, hostPerfSchema, processPerfSchema, resultStatusSchema } from "./messages.js";
import { SCRIPT_STATUS } from "./subjects.js";

export const execRequestSchema = z
  .object({
    pcs: z.array(z.string().regex(PC_ID_RE, "expected a pc_id")).optional(),
    groups: z.array(z.string().regex(GROUP_RE, "expected a group name")).optional(),
    all: z.boolean().optional(),
    // Becomes the agent's jitter sleep: capped at 24d (see MAX_TIMER_MS).
    jitter: boundedDuration("30s, 5m, 1h").optional(),
    deadline_at: z.iso.datetime({ offset: true }).optional(),
    /** Run even though a fleet freeze holds (audited as such); refused with FLEET_FROZEN otherwise. */
    during_freeze: z.boolean().optional(),
  })
  .strict();
export type ExecRequest = z.infer<typeof execRequestSchema>;

/**
 * `pending_approval → running | rejected | expired`; `running → completed | killed | failed_to_publish`.
 * `completed` and the end of `killed` are computed from the PCs' answers.
 */
export const EXECUTION_STATES = ["pending_approval", "running", "completed", "killed", "rejected", "expired", "failed_to_publish"] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];
export const executionStateSchema = z.enum(EXECUTION_STATES);
/** States that never change again. */
export const FINAL_EXECUTION_STATES: readonly ExecutionState[] = ["completed", "killed", "rejected", "expired", "failed_to_publish"];

/** `POST /api/executions/{id}/approve|reject` body: the digest the approver saw binds the approval to that content. */
export const approvalDecisionSchema = z
  .object({ manifest_digest: z.string().regex(/^[0-9a-f]{12,64}$/, "expected the hex manifest digest (or its first 12+ digits)").optional() })
  .strict();
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** `POST /api/exec/{job_id}/preview`: what an exec request would target, to confirm before firing it. */
export const execPreviewSchema = z.object({
  job_id: z.string(),
  version: z.string(),
  require_approval: z.boolean(),
  target_count: z.number().int(),
  online: z.number().int(),
  offline: z.number().int(),
  /** Targeted PCs that have never sent a heartbeat (named but unknown). */
  unknown: z.array(z.string()),
});
export type ExecPreview = z.infer<typeof execPreviewSchema>;

export const execResponseSchema = z.object({
  exec_id: z.string(),
  target_count: z.number().int(),
  state: executionStateSchema,
  /** Set when the caller is scoped and asked for `all`: the permission groups whose PCs it was narrowed to. */
  scoped_to: z.array(z.string()).optional(),
});
export type ExecResponse = z.infer<typeof execResponseSchema>;

/** Per-status counts of an execution. `pending` = targeted PCs with no started event and no result yet. */
export const executionCountsSchema = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  done: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  timed_out: z.number().int(),
  killed: z.number().int(),
  skipped: z.number().int(),
  error: z.number().int(),
  /** PCs of an execution that failed to publish: the command never reached them. */
  not_sent: z.number().int().optional(),
});
export type ExecutionCounts = z.infer<typeof executionCountsSchema>;

/** The approval of a `require_approval` execution, with the exact content an approver decides on. */
export const approvalInfoSchema = z.object({
  requested_by: z.string(),
  expires_at: z.string(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  decision: z.enum(["approved", "rejected", "expired"]).nullable(),
  /** sha256 (hex) of the manifest as fired (script body included) plus the script object's digest. */
  manifest_digest: z.string().nullable(),
  /** The manifest as fired: what runs when approved. */
  manifest: manifestSchema.nullable(),
});
export type ApprovalInfo = z.infer<typeof approvalInfoSchema>;

export const execTargetSchema = z.object({
  pcs: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
  all: z.boolean().optional(),
});

export const executionSummarySchema = z.object({
  exec_id: z.string(),
  job_id: z.string(),
  version: z.string(),
  state: executionStateSchema,
  target: execTargetSchema,
  target_count: z.number().int(),
  created_at: z.string(),
  issued_by: z.string(),
  counts: executionCountsSchema,
  /** Set once the execution was killed; PCs that had not started it count (and show) as `killed`. */
  killed_at: z.string().optional(),
  /** sha256 (hex) of the content that ran or will run. */
  manifest_digest: z.string().nullable().optional(),
  /** Why it ended as it did, when the state alone does not say (a failed publish, a job changed before approval). */
  state_reason: z.string().nullable().optional(),
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

/** One PC's row in an execution: a result, a run in progress, still pending, or never sent (failed publish). */
export const executionRowSchema = z.object({
  pc_id: z.string(),
  status: z.union([resultStatusSchema, z.literal("running"), z.literal("pending"), z.literal("not_sent")]),
  result_id: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  stdout_first_line: z.string().nullable(),
  /** First line of stderr, for rows whose stdout does not tell the story. */
  stderr_first_line: z.string().nullable().optional(),
  /** Why the PC skipped the run (revoked, version pin, deadline …), for `skipped` rows. */
  skip_reason: z.string().nullable().optional(),
  /** The PC's online state now (pending PCs that are offline run it only when they reconnect). */
  online: z.boolean().optional(),
});
export type ExecutionRow = z.infer<typeof executionRowSchema>;

export const executionDetailSchema = executionSummarySchema.extend({
  rows: z.array(executionRowSchema),
  /** Present for executions of `require_approval` jobs. */
  approval: approvalInfoSchema.optional(),
});
export type ExecutionDetail = z.infer<typeof executionDetailSchema>;

/** `GET /api/executions/{exec_id}`: the detail, or only the summary with `?rows=false`. */
export const executionViewSchema = executionSummarySchema.extend({
  rows: z.array(executionRowSchema).optional(),
  approval: approvalInfoSchema.optional(),
  /** PCs that have not started it and are offline now: the execution waits for them to reconnect. */
  offline_waiting: z.number().int().optional(),
});
export type ExecutionView = z.infer<typeof executionViewSchema>;

export const resultRecordSchema = z.object({
  result_id: z.string(),
  exec_id: z.string(),
  request_id: z.string(),
  job_id: z.string(),
  version: z.string(),
  pc_id: z.string(),
  status: resultStatusSchema,
  exit_code: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  stdout_object: z.string().nullable(),
  stderr_object: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string(),
  duration_ms: z.number().nullable(),
  skip_reason: z.string().nullable(),
  error: z.string().nullable(),
});
export type ResultRecord = z.infer<typeof resultRecordSchema>;

export interface ListResponse<T> {
  items: T[];
  next_cursor: string | null;
}

/** The schema of a list answer: `{ items, next_cursor }` (`null` = no more pages). */
export const listResponseSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export const jobStatusSchema = z.enum([SCRIPT_STATUS.ACTIVE, SCRIPT_STATUS.REVOKED]);

/** Catalog entry as `GET /api/jobs` lists it. */
export const jobSummarySchema = z.object({
  id: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  shell: z.string(),
  require_approval: z.boolean(),
  status: jobStatusSchema,
  /** The manifest has an `inventory:` block: its stdout is facts shown as fleet inventory. */
  inventory: z.boolean().optional(),
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

export const versionInfoSchema = z.object({
  name: z.literal("kanade-backend"),
  version: z.string(),
  protocol: z.number().int(),
});
export type VersionInfo = z.infer<typeof versionInfoSchema>;

export const PROTOCOL_VERSION = 1;

/** One agent as `GET /api/agents` lists it; fields the agent has not reported yet are null. */
export const agentSummarySchema = z.object({
  pc_id: z.string(),
  online: z.boolean(),
  hostname: z.string().nullable(),
  os_family: z.string().nullable(),
  os_version: z.string().nullable(),
  agent_version: z.string().nullable(),
  groups: z.array(z.string()),
  /** Operator-set tags (KV `agent_tags`). */
  tags: z.record(z.string(), z.string()).optional(),
  last_seen: z.string().nullable(),
  /** The agent's own footprint from its last heartbeat. */
  agent_rss_bytes: z.number().nullable().optional(),
  agent_cpu_pct: z.number().nullable().optional(),
  /** The interval the agent reported; online = a heartbeat within 3× this. */
  heartbeat_interval_secs: z.number().nullable().optional(),
  /** Who is logged on, from the last heartbeat. */
  logged_in_user: z.string().nullable().optional(),
  /** The kanade-client version the PC's agent last saw (null: no client has connected yet). */
  client_version: z.string().nullable().optional(),
  /** IPv4 addresses of the PC's non-internal interfaces, from its network inventory. */
  ip_addresses: z.array(z.string()).optional(),
  /** The host's CPU and memory from its newest perf sample, taken at `perf_at` (stale when the PC is offline). */
  cpu_pct: z.number().nullable().optional(),
  mem_used_bytes: z.number().nullable().optional(),
  mem_total_bytes: z.number().nullable().optional(),
  perf_at: z.string().nullable().optional(),
});
export type AgentSummary = z.infer<typeof agentSummarySchema>;

/** `GET /api/agents/{pc}`: the summary plus what only the detail view shows. */
export const agentDetailSchema = agentSummarySchema.extend({
  boot_time: z.string().nullable(),
  logged_in_user: z.string().nullable(),
  quarantined_versions: z.array(z.string()),
});
export type AgentDetail = z.infer<typeof agentDetailSchema>;

/** One group as `GET /api/groups` lists it: its name and member pc_ids (sorted). */
export const groupSummarySchema = z.object({
  name: z.string(),
  pcs: z.array(z.string()),
  /** Number of member PCs. */
  count: z.number().int().optional(),
  /** The same as `name` and `pcs`, under the names the first API used. */
  group: z.string().optional(),
  members: z.array(z.string()).optional(),
  /** The query of a dynamic group; absent for a static one. */
  query: z.string().optional(),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

/** `GET /api/jobs/:id`: the catalog summary plus the full manifest as stored (defaults applied). */
export const jobDetailSchema = jobSummarySchema.extend({ manifest: manifestSchema });
export type JobDetail = z.infer<typeof jobDetailSchema>;

// ---- Fleet knowledge (agents, inventory, performance, config) -------------------------------

/** `GET /api/agents/{pc}/perf?since=…` → `{ items: HostPerf[] }`, oldest first. */
export type { HostPerf, ProcessPerf } from "./messages.js";

/**
 * Frames on the perf WebSockets (`/api/agents/{pc}/perf/live`, `/api/perf/fleet/live`): JSON text,
 * one sample per frame.
 */
export const perfFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("host_perf"), data: hostPerfSchema }),
  z.object({ type: z.literal("process_perf"), data: processPerfSchema }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type PerfFrame = z.infer<typeof perfFrameSchema>;

/** `GET /api/perf/fleet?sort=cpu|mem|disk|net&limit=N` → the latest sample of each PC, hottest first. */
export const FLEET_PERF_SORTS = ["cpu", "mem", "disk", "net"] as const;
export type FleetPerfSort = (typeof FLEET_PERF_SORTS)[number];
export const fleetPerfSortSchema = z.enum(FLEET_PERF_SORTS);

/** Latest facts of one built-in category, with the time they were collected. */
const inventoryCategoryFacts = z.object({ collected_at: z.string(), data: z.unknown() });

/** `GET /api/inventory/{pc}` */
export const inventoryRecordSchema = z.object({
  pc_id: z.string(),
  /** Latest facts per category (`hw`, `os`, `net`, `sw`) with the time each was collected. */
  categories: z.object({
    hw: inventoryCategoryFacts.optional(),
    os: inventoryCategoryFacts.optional(),
    net: inventoryCategoryFacts.optional(),
    sw: inventoryCategoryFacts.optional(),
  }),
});
export type InventoryRecord = z.infer<typeof inventoryRecordSchema>;

/** One row of `GET /api/inventory?app=<name>`: which PCs have an application, at which version. */
export const installedAppRowSchema = z.object({
  pc_id: z.string(),
  name: z.string(),
  version: z.string().nullable(),
  publisher: z.string().nullable(),
});
export type InstalledAppRow = z.infer<typeof installedAppRowSchema>;

/** `GET /api/inventory/apps/missing?app=`: PCs whose software inventory has no application matching `app`. */
export const missingAppSchema = z.object({
  app: z.string(),
  items: z.array(z.object({ pc_id: z.string(), collected_at: z.string() })),
  /** Known agents that have not reported software inventory: whether they have it is unknown. */
  without_inventory: z.array(z.string()),
  next_cursor: z.string().nullable(),
});
export type MissingApp = z.infer<typeof missingAppSchema>;

/** `POST /api/groups/{g}/members`: the PCs added (those not already members) and the group's members now. */
export const groupMembersAddedSchema = z.object({ group: z.string(), added: z.array(z.string()), members: z.array(z.string()) });
export type GroupMembersAdded = z.infer<typeof groupMembersAddedSchema>;

/** `GET /api/agents/{pc}/effective_config` */
export type { EffectiveConfig, ConfigConflict } from "./config-resolve.js";

/** `GET /api/agents/{pc}/ping` / `POST …/ping` reply. */
export const pingReplySchema = z.object({
  pc_id: z.string(),
  rtt_ms: z.number(),
  heartbeat: heartbeatSchema,
});
export type PingReply = z.infer<typeof pingReplySchema>;
