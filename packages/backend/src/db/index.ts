/** The storage the API and projectors need, kept narrow so a Postgres implementation can follow SQLite. */
import type {
  ExecResult,
  ExecutionCounts,
  ExecutionRow,
  Heartbeat,
  ResultRecord,
  ResultStatus,
  StartedEvent,
} from "@kanade/protocol";

export interface ExecutionRecord {
  exec_id: string;
  job_id: string;
  version: string;
  state: string;
  target: { pcs?: string[]; groups?: string[]; all?: boolean };
  target_count: number;
  created_at: string;
  issued_by: string;
  killed_at: string | null;
}

export interface AgentRecord {
  pc_id: string;
  hostname: string;
  os_family: string;
  os_version: string;
  agent_version: string;
  groups: string[];
  last_seen: string;
  heartbeat_interval_secs: number | null;
  agent_rss_bytes: number;
  agent_cpu_pct: number;
  boot_time: string | null;
  logged_in_user: string | null;
  quarantined_versions: string[];
}

/** Sort key of the last row of a page; encoded into the opaque cursor. */
export interface PageKey {
  at: string;
  id: string;
}

export interface ResultFilter {
  exec_id?: string;
  pc_id?: string;
  job_id?: string;
  status?: ResultStatus;
}

export interface Store {
  /** Records an execution and the PCs expected to answer it, in one transaction. */
  insertExecution(exec: ExecutionRecord, targets: readonly string[]): Promise<void>;
  deleteExecution(execId: string): Promise<void>;
  getExecution(execId: string): Promise<ExecutionRecord | undefined>;
  listExecutions(opts: { limit: number; after?: PageKey; job_id?: string; state?: string }): Promise<ExecutionRecord[]>;
  markKilled(execId: string, at: string): Promise<void>;
  executionCounts(execId: string): Promise<ExecutionCounts>;
  executionRows(execId: string): Promise<ExecutionRow[]>;

  /** Inserts results not seen before (by result_id); returns how many were new. */
  insertResults(results: readonly ExecResult[]): Promise<number>;
  getResult(resultId: string): Promise<ResultRecord | undefined>;
  listResults(opts: { limit: number; after?: PageKey } & ResultFilter): Promise<ResultRecord[]>;

  insertStarted(events: readonly StartedEvent[]): Promise<number>;

  upsertAgents(heartbeats: readonly Heartbeat[]): Promise<void>;
  listAgents(): Promise<AgentRecord[]>;
  getAgent(pcId: string): Promise<AgentRecord | undefined>;
  deleteAgent(pcId: string): Promise<boolean>;
  agentIds(): Promise<string[]>;

  close(): Promise<void>;
}
