/** The segments of an execution's progress bar: each per-PC status with a count above zero, in a fixed order. */
import type { ExecutionCounts, ExecutionRow } from "@kanade/protocol";

/** Outcomes first, then what is still under way; `not_sent` = PCs a failed publish never reached. */
export const PROGRESS_PARTS = ["succeeded", "failed", "timed_out", "error", "killed", "skipped", "not_sent", "running", "pending"] as const satisfies readonly ExecutionRow["status"][];

export type ProgressPart = (typeof PROGRESS_PARTS)[number];

export function countParts(counts: ExecutionCounts): { status: ProgressPart; n: number }[] {
  return PROGRESS_PARTS.map((status) => ({ status, n: counts[status] ?? 0 })).filter((p) => p.n > 0);
}
