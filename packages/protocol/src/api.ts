/** HTTP API shapes shared by the backend (validates them) and the CLI / SPA (reads them). SPEC §7. */
import { z } from "zod";
import { boundedDuration } from "./duration.js";
import { GROUP_RE, PC_ID_RE } from "./ids.js";
import type { Manifest } from "./manifest.js";
import type { ResultStatus } from "./messages.js";

export const execRequestSchema = z
  .object({
    pcs: z.array(z.string().regex(PC_ID_RE, "expected a pc_id")).optional(),
    groups: z.array(z.string().regex(GROUP_RE, "expected a group name")).optional(),
    all: z.boolean().optional(),
    // Becomes the agent's jitter sleep: capped at 24d (see MAX_TIMER_MS).
    jitter: boundedDuration("30s, 5m, 1h").optional(),
    deadline_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type ExecRequest = z.infer<typeof execRequestSchema>;

/**
 * `pending_approval → running | rejected | expired`; `running → completed | killed | failed_to_publish`.
 * `completed` and the end of `killed` are computed from the PCs' answers.
 */
export const EXECUTION_STATES = ["pending_approval", "running", "completed", "killed", "rejected", "expired", "failed_to_publish"] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];
/** States that never change again. */
export const FINAL_EXECUTION_STATES: readonly ExecutionState[] = ["completed", "killed", "rejected", "expired", "failed_to_publish"];

/** `POST /api/executions/{id}/approve|reject` body: the digest the approver saw binds the approval to that content. */
export const approvalDecisionSchema = z
  .object({ manifest_digest: z.string().regex(/^[0-9a-f]{12,64}$/, "expected the hex manifest digest (or its first 12+ digits)").optional() })
  .strict();
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

export interface ExecResponse {
  exec_id: string;
  target_count: number;
  state: ExecutionState;
}

/** Per-status counts of an execution. `pending` = targeted PCs with no started event and no result yet. */
export interface ExecutionCounts {
  total: number;
  pending: number;
  running: number;
  done: number;
  succeeded: number;
  failed: number;
  timed_out: number;
  killed: number;
  skipped: number;
  error: number;
  /** PCs of an execution that failed to publish: the command never reached them. */
  not_sent?: number;
}

/** The approval of a `require_approval` execution, with the exact content an approver decides on. */
export interface ApprovalInfo {
  requested_by: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision: "approved" | "rejected" | "expired" | null;
  /** sha256 (hex) of the manifest as fired (script body included) plus the script object's digest. */
  manifest_digest: string | null;
  /** The manifest as fired: what runs when approved. */
  manifest: Manifest | null;
}

export interface ExecutionSummary {
  exec_id: string;
  job_id: string;
  version: string;
  state: ExecutionState;
  target: { pcs?: string[]; groups?: string[]; all?: boolean };
  target_count: number;
  created_at: string;
  issued_by: string;
  counts: ExecutionCounts;
  /** Set once the execution was killed; PCs that had not started it count (and show) as `killed`. */
  killed_at?: string;
  /** sha256 (hex) of the content that ran or will run. */
  manifest_digest?: string | null;
  /** Why it ended as it did, when the state alone does not say (a failed publish, a job changed before approval). */
  state_reason?: string | null;
}

/** One PC's row in an execution: a result, a run in progress, or still pending. */
export interface ExecutionRow {
  pc_id: string;
  status: ResultStatus | "running" | "pending" | "not_sent";
  result_id: string | null;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  stdout_first_line: string | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  rows: ExecutionRow[];
  /** Present for executions of `require_approval` jobs. */
  approval?: ApprovalInfo;
}

export interface ResultRecord {
  result_id: string;
  exec_id: string;
  request_id: string;
  job_id: string;
  version: string;
  pc_id: string;
  status: ResultStatus;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  stdout_object: string | null;
  stderr_object: string | null;
  started_at: string | null;
  finished_at: string;
  duration_ms: number | null;
  skip_reason: string | null;
  error: string | null;
}

export interface ListResponse<T> {
  items: T[];
  next_cursor: string | null;
}

/** Catalog entry as `GET /api/jobs` lists it. */
export interface JobSummary {
  id: string;
  version: string;
  description: string | null;
  shell: string;
  require_approval: boolean;
  status: "ACTIVE" | "REVOKED";
}

export interface VersionInfo {
  name: "kanade-backend";
  version: string;
  protocol: number;
}

export const PROTOCOL_VERSION = 1;

/** One agent as `GET /api/agents` lists it; fields the agent has not reported yet are null. */
export interface AgentSummary {
  pc_id: string;
  online: boolean;
  hostname: string | null;
  os_family: string | null;
  os_version: string | null;
  agent_version: string | null;
  groups: string[];
  last_seen: string | null;
  /** The agent's own footprint from its last heartbeat. */
  agent_rss_bytes?: number | null;
  agent_cpu_pct?: number | null;
  /** The interval the agent reported; online = a heartbeat within 3× this. */
  heartbeat_interval_secs?: number | null;
}

/** One group as `GET /api/groups` lists it: its name and member pc_ids (sorted). */
export interface GroupSummary {
  name: string;
  pcs: string[];
  /** Number of member PCs. */
  count?: number;
}

/** `GET /api/jobs/:id`: the catalog summary plus the full manifest as stored (defaults applied). */
export interface JobDetail extends JobSummary {
  manifest: Manifest;
}

// ---- Fleet knowledge (agents, inventory, performance, config) -------------------------------

/** `GET /api/agents/{pc}/perf?since=…` → `{ items: HostPerf[] }`, oldest first. */
export type { HostPerf, ProcessPerf } from "./messages.js";

/**
 * Frames on the perf WebSockets (`/api/agents/{pc}/perf/live`, `/api/perf/fleet/live`): JSON text,
 * one sample per frame.
 */
export type PerfFrame =
  | { type: "host_perf"; data: import("./messages.js").HostPerf }
  | { type: "process_perf"; data: import("./messages.js").ProcessPerf }
  | { type: "error"; message: string };

/** `GET /api/perf/fleet?sort=cpu|mem|disk|net&limit=N` → the latest sample of each PC, hottest first. */
export const FLEET_PERF_SORTS = ["cpu", "mem", "disk", "net"] as const;
export type FleetPerfSort = (typeof FLEET_PERF_SORTS)[number];

/** `GET /api/inventory/{pc}` */
export interface InventoryRecord {
  pc_id: string;
  /** Latest facts per category (`hw`, `os`, `net`, `sw`) with the time each was collected. */
  categories: Partial<Record<"hw" | "os" | "net" | "sw", { collected_at: string; data: unknown }>>;
}

/** One row of `GET /api/inventory?app=<name>`: which PCs have an application, at which version. */
export interface InstalledAppRow {
  pc_id: string;
  name: string;
  version: string | null;
  publisher: string | null;
}

/** `GET /api/agents/{pc}/effective_config` */
export type { EffectiveConfig, ConfigConflict } from "./config-resolve.js";

/** `GET /api/agents/{pc}/ping` / `POST …/ping` reply. */
export interface PingReply {
  pc_id: string;
  rtt_ms: number;
  heartbeat: import("./messages.js").Heartbeat;
}
