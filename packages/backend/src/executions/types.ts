/** The execution's records and its state machine, as the executions module and its store share them. */
import type { Command, ExecRequest, Manifest } from "@kanade/protocol";

/**
 * Stored states. `pending_approval → running | rejected | expired`; `running → killed | failed_to_publish`.
 * `completed` is never stored: a running execution is completed once every PC answered (see view.ts).
 */
export const STORED_STATES = ["pending_approval", "running", "killed", "rejected", "expired", "failed_to_publish"] as const;
export type StoredState = (typeof STORED_STATES)[number];

export interface ExecTarget {
  pcs?: string[];
  groups?: string[];
  all?: boolean;
}

export interface ExecutionRecord {
  exec_id: string;
  job_id: string;
  version: string;
  state: StoredState;
  target: ExecTarget;
  target_count: number;
  created_at: string;
  issued_by: string;
  killed_at: string | null;
  /** sha256 (hex) of the exact content that runs: the manifest as stored, plus the script object's digest. */
  manifest_digest: string | null;
  /** Why the execution ended as it did, when that is not obvious from its state. */
  state_reason: string | null;
}

export type Decision = "approved" | "rejected" | "expired";

export interface ApprovalRecord {
  exec_id: string;
  requested_by: string;
  /** The exec request body, replayed when the execution is approved. */
  request: ExecRequest;
  /** The manifest the requester fired and the approver sees; what runs when approved. */
  manifest: Manifest | null;
  manifest_digest: string | null;
  script_sha256: string | null;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision: Decision | null;
}

export interface CommandPlan {
  subject: string;
  command: Command;
}

/**
 * Work on the broker that must happen even if the backend dies first: publishing an execution's commands,
 * or withdrawing them (purge from EXEC + kill message). Written in the same transaction as the state change.
 */
export type Intent =
  | { kind: "publish"; exec_id: string; created_at: string; job_id: string; version: string; target: ExecTarget; plans: CommandPlan[] }
  | { kind: "withdraw"; exec_id: string; created_at: string; target: ExecTarget; issued_by: string };
export type IntentKind = Intent["kind"];
