/** The dashboard's figures, from the fleet's agent counts (`GET /api/fleet/summary`) and recent executions. */
import type { ExecutionSummary, FleetSummary } from "@kanade/protocol";

export interface DashboardStats {
  online: number;
  offline: number;
  /** Executions created in the last 24 h. */
  runs24h: number;
  /** Per-PC results of those executions. */
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed) in percent; null when nothing has finished. */
  successRate: number | null;
  /**
   * Executions (any age in the list) with at least one failed, timed-out or errored PC, or that failed to
   * publish (their PCs never got the command), newest first.
   */
  attention: ExecutionSummary[];
}

const DAY_MS = 24 * 3600 * 1000;

export const failedCount = (e: ExecutionSummary): number => e.counts.failed + e.counts.timed_out + e.counts.error;
/** PCs a failed publish never reached. */
export const notSentCount = (e: ExecutionSummary): number => e.counts.not_sent ?? 0;
const needsLook = (e: ExecutionSummary): boolean => failedCount(e) > 0 || notSentCount(e) > 0 || e.state === "failed_to_publish";

export function dashboardStats(agents: FleetSummary["agents"] | undefined, executions: readonly ExecutionSummary[], now: Date): DashboardStats {
  const recent = executions.filter((e) => now.getTime() - Date.parse(e.created_at) <= DAY_MS);
  let succeeded = 0;
  let failed = 0;
  for (const e of recent) {
    succeeded += e.counts.succeeded;
    failed += failedCount(e);
  }
  const finished = succeeded + failed;
  return {
    online: agents?.online ?? 0,
    offline: agents?.offline ?? 0,
    runs24h: recent.length,
    succeeded,
    failed,
    successRate: finished === 0 ? null : (succeeded / finished) * 100,
    attention: executions
      .filter(needsLook)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, 10),
  };
}
