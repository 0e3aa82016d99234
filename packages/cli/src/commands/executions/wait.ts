/** Polls an execution until every target reported, showing progress on stderr. */
import type { ExecutionDetail } from "@kanade/protocol";
import type { ApiClient } from "../../client.js";
import type { Deps } from "../../deps.js";
import { isFinished, progressLine, ProgressReporter } from "../../progress.js";

export const POLL_INTERVAL_MS = 500;

export interface WaitOutcome {
  detail: ExecutionDetail;
  /** The `--timeout` expired before every target reported. */
  timedOut: boolean;
}

export async function waitForExecution(
  deps: Pick<Deps, "io" | "sleep" | "now"> & { client: Pick<ApiClient, "getExecution"> },
  execId: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<WaitOutcome> {
  const progress = new ProgressReporter(deps.io);
  const deadline = opts.timeoutMs === undefined ? Infinity : deps.now() + opts.timeoutMs;
  try {
    for (;;) {
      const detail = await deps.client.getExecution(execId);
      progress.update(progressLine(detail));
      if (isFinished(detail)) return { detail, timedOut: false };
      if (deps.now() >= deadline) return { detail, timedOut: true };
      await deps.sleep(Math.min(opts.intervalMs ?? POLL_INTERVAL_MS, Math.max(0, deadline - deps.now())));
    }
  } finally {
    progress.finish();
  }
}
