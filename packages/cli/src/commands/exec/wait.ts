/** Polls an execution until every target reported, showing progress on stderr. */
import type { ExecutionSummary } from "@kanade/protocol";
import type { Deps } from "../../deps.js";
import { isFinished, progressLine, ProgressReporter } from "../../progress.js";

export const POLL_INTERVAL_MS = 500;

export interface WaitOutcome {
  /** The last state seen. */
  summary: ExecutionSummary;
  /** The `--timeout` expired before every target reported. */
  timedOut: boolean;
}

/**
 * Calls `poll` (the execution without its per-PC rows, which stays cheap for thousands of PCs) until the
 * execution is finished or `timeoutMs` passed.
 */
export async function waitForExecution(
  deps: Pick<Deps, "io" | "sleep" | "now">,
  poll: () => Promise<ExecutionSummary>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<WaitOutcome> {
  const progress = new ProgressReporter(deps.io);
  const deadline = opts.timeoutMs === undefined ? Infinity : deps.now() + opts.timeoutMs;
  try {
    for (;;) {
      const summary = await poll();
      progress.update(progressLine(summary));
      if (isFinished(summary)) return { summary, timedOut: false };
      if (deps.now() >= deadline) return { summary, timedOut: true };
      await deps.sleep(Math.min(opts.intervalMs ?? POLL_INTERVAL_MS, Math.max(0, deadline - deps.now())));
    }
  } finally {
    progress.finish();
  }
}
