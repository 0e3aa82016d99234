/** Protocol-valid messages for tests: one place, so a schema change touches one fixture. */
import { commandSchema, type Command, type ExecResult } from "@kanade/protocol";

/** A valid `sh` Command (fixed ids and times); `extra` is parsed with it, so defaults still apply. */
export function sampleCommand(extra: Record<string, unknown> = {}): Command {
  return commandSchema.parse({
    request_id: "0190a7e0-0000-7000-8000-000000000001",
    exec_id: "0190a7e0-0000-7000-8000-000000000002",
    job_id: "job",
    version: "1.0.0",
    shell: "sh",
    script: "echo hi",
    timeout_secs: 10,
    issued_at: "2026-01-10T11:59:00Z",
    issued_by: "op",
    ...extra,
  });
}

/** A succeeded ExecResult with empty output (fixed ids and times unless overridden). */
export function sampleResult(over: Partial<ExecResult> = {}): ExecResult {
  return {
    result_id: "01936f0e-7a3b-7cde-8f00-000000000001",
    exec_id: "01936f0e-7a3b-7cde-8f00-000000000002",
    request_id: "01936f0e-7a3b-7cde-8f00-000000000003",
    job_id: "hello",
    version: "1.0.0",
    pc_id: "pc-1",
    status: "succeeded",
    exit_code: 0,
    stdout: "",
    stderr: "",
    stdout_truncated: false,
    stderr_truncated: false,
    started_at: null,
    finished_at: "2026-11-30T00:00:01.000Z",
    ...over,
  };
}
