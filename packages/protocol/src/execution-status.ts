/**
 * One vocabulary for what happened on each PC of an execution: the API's row statuses and counts, listed
 * in the same order with the same words by the CLI and the web UI, so every status is counted somewhere.
 */
import type { ExecutionCounts, ExecutionRow } from "./api.js";

export type RowStatus = ExecutionRow["status"];

/** Every status a PC can have in an execution: outcomes first, then the PCs still waiting. */
export const ROW_STATUSES = ["succeeded", "failed", "timed_out", "error", "killed", "skipped", "not_sent", "running", "pending"] as const;

// A status added to the row schema but not to ROW_STATUSES fails the build here.
type Unlisted = Exclude<RowStatus, (typeof ROW_STATUSES)[number]>;
const everyStatusListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyStatusListed;

/** How many PCs of an execution have `status`. */
export const countOf = (c: ExecutionCounts, status: RowStatus): number => (status === "not_sent" ? (c.not_sent ?? 0) : c[status]);

/** The statuses with PCs, in vocabulary order, with their counts. */
export const nonZeroCounts = (c: ExecutionCounts): { status: RowStatus; n: number }[] =>
  ROW_STATUSES.map((status) => ({ status, n: countOf(c, status) })).filter((x) => x.n > 0);

/** Outcomes that did not go as asked: counted against a run (skipped, killed and not sent are their own words). */
export const UNSUCCESSFUL_STATUSES: readonly RowStatus[] = ["failed", "timed_out", "error"];

/**
 * The one line that tells a row's story, for tables of many PCs: why it skipped, its first stderr line when
 * it did not succeed (or printed nothing else), else its first stdout line.
 */
export function rowStory(r: Pick<ExecutionRow, "status" | "stdout_first_line" | "stderr_first_line" | "skip_reason">): { stream: "skip" | "stderr" | "stdout"; text: string } | null {
  if (r.status === "skipped" && r.skip_reason) return { stream: "skip", text: r.skip_reason };
  const out = r.stdout_first_line?.trim() ? r.stdout_first_line : null;
  const err = r.stderr_first_line?.trim() ? r.stderr_first_line : null;
  if (err && (r.status !== "succeeded" || !out)) return { stream: "stderr", text: err };
  return out ? { stream: "stdout", text: out } : null;
}

/** Why the skipped PCs skipped, most common first: `[{ reason: "job revoked", n: 300 }]`. */
export function skipReasons(rows: readonly Pick<ExecutionRow, "status" | "skip_reason">[]): { reason: string; n: number }[] {
  const byReason = new Map<string, number>();
  for (const r of rows) {
    if (r.status !== "skipped") continue;
    const reason = r.skip_reason?.trim() || "no reason given";
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...byReason].map(([reason, n]) => ({ reason, n })).sort((a, b) => b.n - a.n || a.reason.localeCompare(b.reason));
}
