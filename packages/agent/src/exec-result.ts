/** The one place an ExecResult is put together, whatever ended the run: the script, a gate, a kill or a crash. */
import type { ExecResult, RunAs } from "@kanade/protocol/wire";
import type { RunOutcome } from "./exec/executor.js";

/** Who a result belongs to: fixed when the command is accepted (and kept in its running marker). */
export interface RunIdentity {
  result_id: string;
  exec_id: string;
  request_id: string;
  job_id: string;
  version: string;
  run_as: RunAs;
}

/** What the ending decides; output fields default to empty. */
export type EndFields = Partial<Pick<ExecResult, "stdout" | "stderr" | "stdout_truncated" | "stderr_truncated" | "skip_reason" | "error">> &
  Pick<ExecResult, "status" | "exit_code">;

export function buildResult(run: RunIdentity, pcId: string, times: { startedAt: string | null; finishedAt: string }, end: EndFields): ExecResult {
  return {
    result_id: run.result_id,
    exec_id: run.exec_id,
    request_id: run.request_id,
    job_id: run.job_id,
    version: run.version,
    pc_id: pcId,
    stdout: "",
    stderr: "",
    stdout_truncated: false,
    stderr_truncated: false,
    started_at: times.startedAt,
    finished_at: times.finishedAt,
    run_as: run.run_as,
    ...end,
  };
}

/** The fields a finished process contributes. */
export function outcomeFields(o: RunOutcome): EndFields {
  return {
    status: o.status,
    exit_code: o.exitCode,
    stdout: o.stdout,
    stderr: o.stderr,
    stdout_truncated: o.stdoutTruncated,
    stderr_truncated: o.stderrTruncated,
    ...(o.error !== undefined ? { error: o.error } : {}),
  };
}
