/** What the executions module needs from a database; one implementation per engine (SQLite today). */
import type { AdhocScript, AuditRecord, ExecutionCounts, ExecutionRow } from "@kanade/protocol";
import type { PageKey } from "../cursor.js";
import type { ApprovalRecord, Decision, ExecutionRecord, Intent, IntentKind, StoredState } from "./types.js";

export interface NewApproval {
  exec_id: string;
  requested_by: string;
  request: ApprovalRecord["request"];
  manifest: NonNullable<ApprovalRecord["manifest"]>;
  manifest_digest: string;
  script_sha256: string | null;
  expires_at: string;
}

/** One conditional state change and everything that must commit with it. */
export interface Transition {
  from: readonly StoredState[];
  to: StoredState;
  reason?: string;
  killedAt?: string;
  decision?: { by: string; at: string; decision: Decision };
  addIntent?: Intent;
  removeIntents?: readonly IntentKind[];
  audit?: AuditRecord;
}

export interface ExecutionListFilter {
  limit: number;
  after?: PageKey;
  job_id?: string;
  state?: StoredState;
  /** Lowercase hex: a prefix or suffix of the exec_id without dashes. */
  id?: string;
  /**
   * A caller scoped by permission groups: only executions whose every target is one of `pcs`, and those
   * with no target that `actor` fired (governance/scope-hook.ts `executionVisible`, in SQL).
   */
  visibleTo?: { pcs: readonly string[]; actor: string };
}

export interface ExecutionsStore {
  /** The execution, its expected PCs, its approval or publish intent, and its audit record: one transaction. */
  create(input: {
    execution: ExecutionRecord;
    targets: readonly string[];
    approval?: NewApproval;
    intent?: Intent;
    /** An ad-hoc run's script, exactly as submitted (issue 17). */
    adhoc?: AdhocScript;
    audit: AuditRecord;
  }): Promise<void>;
  /** The script an ad-hoc execution recorded; undefined for a job's execution. */
  adhocScript(execId: string): Promise<AdhocScript | undefined>;
  /** Applies the transition when the stored state is one of `from`; false (and nothing written) otherwise. */
  transition(execId: string, t: Transition): Promise<boolean>;
  get(execId: string): Promise<ExecutionRecord | undefined>;
  list(filter: ExecutionListFilter): Promise<ExecutionRecord[]>;
  /** Per-status counts from the results and started events seen so far (pending = neither yet). */
  counts(execId: string): Promise<ExecutionCounts>;
  rows(execId: string): Promise<ExecutionRow[]>;
  approval(execId: string): Promise<ApprovalRecord | undefined>;
  /** Pending approvals whose time ran out. */
  overdueApprovals(now: string): Promise<string[]>;
  intents(): Promise<Intent[]>;
  removeIntent(execId: string, kind: IntentKind): Promise<void>;
  noteIntentFailure(execId: string, kind: IntentKind, error: string): Promise<void>;
  countByState(): Promise<{ state: string; n: number }[]>;
  isEmpty(): Promise<boolean>;
  /** Rebuild: inserts an execution (and an ad-hoc run's script) recovered from the audit trail unless it exists; true when inserted. */
  restore(execution: ExecutionRecord, targets: readonly string[], adhoc?: AdhocScript): Promise<boolean>;
  /** Rebuild: a state or kill recovered from the audit trail, applied without conditions. */
  restoreState(execId: string, change: { state?: StoredState; killedAt?: string; reason?: string }): Promise<void>;
}
