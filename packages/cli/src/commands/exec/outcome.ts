/** How `exec --wait` judges an execution that ended: all succeeded, or one line saying why not. */
import type { ExecutionRow, ExecutionSummary } from "@kanade/protocol";

type Ended = Pick<ExecutionSummary, "state" | "state_reason" | "target_count">;

/** Every targeted PC reported `succeeded` (an empty target set is not a success). */
export function allSucceeded(e: Ended, rows: readonly ExecutionRow[]): boolean {
  return rows.length >= e.target_count && rows.length > 0 && rows.every((r) => r.status === "succeeded");
}

/**
 * `execution rejected`, `execution failed_to_publish (<reason>)`, `execution killed: 2 of 3 PC(s) did not
 * succeed`, or just `1 of 3 PC(s) did not succeed`. The backend's state_reason is shown when it has one.
 */
export function failureReason(e: Ended, rows: readonly ExecutionRow[]): string {
  const notOk = rows.filter((r) => r.status !== "succeeded").length + Math.max(0, e.target_count - rows.length);
  const pcs = `${notOk} of ${e.target_count} PC(s) did not succeed`;
  const reason = e.state_reason ? ` (${e.state_reason})` : "";
  switch (e.state) {
    case "rejected":
    case "expired":
    case "failed_to_publish":
      return `execution ${e.state}${reason}`;
    case "killed":
      return `execution killed${reason}: ${pcs}`;
    default:
      return pcs;
  }
}
