/** How an execution reads from outside: its state and counts derived from the stored state and the PCs' answers. */
import type { ApprovalInfo, ExecutionCounts, ExecutionRow, ExecutionState, ExecutionSummary } from "@kanade/protocol";
import type { ApprovalRecord, ExecutionRecord } from "./types.js";

/**
 * A running execution is completed once every PC answered; a killed one stays `running` while a PC is
 * still busy, then reads `killed`.
 */
export function displayState(e: ExecutionRecord, c: ExecutionCounts): ExecutionState {
  switch (e.state) {
    case "running":
      return c.total > 0 && c.pending === 0 && c.running === 0 ? "completed" : "running";
    case "killed":
      return c.running > 0 ? "running" : "killed";
    default:
      return e.state;
  }
}

/**
 * PCs that never got (or will never start) the command: after a kill their commands were purged, after a
 * failed publish they were never sent. Count them so such an execution does not wait forever.
 */
export function settleCounts(e: ExecutionRecord, c: ExecutionCounts): ExecutionCounts {
  if (c.pending === 0) return c;
  if (e.state === "killed") return { ...c, pending: 0, killed: c.killed + c.pending, done: c.done + c.pending };
  if (e.state === "failed_to_publish") return { ...c, pending: 0, not_sent: (c.not_sent ?? 0) + c.pending, done: c.done + c.pending };
  return c;
}

export function settleRows(e: ExecutionRecord, rows: ExecutionRow[]): ExecutionRow[] {
  const as = e.state === "killed" ? "killed" : e.state === "failed_to_publish" ? "not_sent" : undefined;
  return as ? rows.map((r) => (r.status === "pending" ? { ...r, status: as } : r)) : rows;
}

export function summaryOf(e: ExecutionRecord, raw: ExecutionCounts): ExecutionSummary {
  const counts = settleCounts(e, raw);
  return {
    exec_id: e.exec_id,
    job_id: e.job_id,
    version: e.version,
    state: displayState(e, counts),
    target: e.target,
    target_count: e.target_count,
    created_at: e.created_at,
    issued_by: e.issued_by,
    counts,
    ...(e.killed_at ? { killed_at: e.killed_at } : {}),
    manifest_digest: e.manifest_digest,
    state_reason: e.state_reason,
  };
}

export function approvalInfo(a: ApprovalRecord): ApprovalInfo {
  return {
    requested_by: a.requested_by,
    expires_at: a.expires_at,
    decided_by: a.decided_by,
    decided_at: a.decided_at,
    decision: a.decision,
    manifest_digest: a.manifest_digest,
    manifest: a.manifest,
  };
}
