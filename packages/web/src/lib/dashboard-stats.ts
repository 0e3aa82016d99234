/** The dashboard's figures, computed from the agents list and recent executions. */
import type { AgentSummary, ExecutionSummary } from "@kanade/protocol";

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
  /** Executions (any age in the list) with at least one failed, timed-out or errored PC, newest first. */
  attention: ExecutionSummary[];
}

const DAY_MS = 24 * 3600 * 1000;

export const failedCount = (e: ExecutionSummary): number => e.counts.failed + e.counts.timed_out + e.counts.error;

export function dashboardStats(agents: readonly AgentSummary[], executions: readonly ExecutionSummary[], now: Date): DashboardStats {
  const online = agents.filter((a) => a.online).length;
  const recent = executions.filter((e) => now.getTime() - Date.parse(e.created_at) <= DAY_MS);
  let succeeded = 0;
  let failed = 0;
  for (const e of recent) {
    succeeded += e.counts.succeeded;
    failed += failedCount(e);
  }
  const finished = succeeded + failed;
  return {
    online,
    offline: agents.length - online,
    runs24h: recent.length,
    succeeded,
    failed,
    successRate: finished === 0 ? null : (succeeded / finished) * 100,
    attention: executions
      .filter((e) => failedCount(e) > 0)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, 10),
  };
}
