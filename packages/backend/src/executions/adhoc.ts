/**
 * Ad-hoc runs (issue 17 §1): who may, and the synthetic manifest an operator's script becomes. The script is
 * carried byte for byte into the signed command; the manifest's digest is what an approver approves.
 */
import {
  ADHOC_JOB_ID,
  ADHOC_VERSION,
  KanadeError,
  type AdhocScript,
  type ExecRequest,
  type Manifest,
  type ParsedRunRequest,
} from "@kanade/protocol";
import type { Caller } from "../caller.js";
import type { AdhocPolicy } from "./deps.js";

const DEFAULT_POLICY: AdhocPolicy = { operators: true, requireApproval: false };

/** Admins always may; operators when the backend allows it; viewers never (the route refuses them first). */
export function checkAdhocAllowed(caller: Caller, policy: AdhocPolicy = DEFAULT_POLICY): void {
  if (caller.role === "admin") return;
  if (caller.role === "operator" && policy.operators) return;
  const why = caller.role === "operator" ? "this backend lets only admins run ad-hoc scripts (adhoc_operators = false)" : "viewers cannot run scripts";
  throw new KanadeError("FORBIDDEN", `"${caller.actor}" may not run ad-hoc scripts: ${why}`);
}

/** Splits a run request into the exec request (target, jitter, freeze) and the manifest its commands are planned from. */
export function adhocRun(body: ParsedRunRequest, policy: AdhocPolicy = DEFAULT_POLICY): { request: ExecRequest; manifest: Manifest } {
  const { shell, script, timeout, run_as, cwd, ...request } = body;
  const manifest: Manifest = {
    id: ADHOC_JOB_ID,
    version: ADHOC_VERSION,
    execute: { shell, script, timeout, run_as: run_as ?? "system", ...(cwd !== undefined ? { cwd } : {}) },
    require_approval: policy.requireApproval,
    staleness: { mode: "cached" },
  };
  return { request, manifest };
}

/** The row kept with the execution: the script as submitted, for `GET …/script` and promotion to a job. */
export function adhocRecord(execId: string, body: ParsedRunRequest, manifest: Manifest, actor: string, now: Date): AdhocScript {
  return {
    exec_id: execId,
    shell: manifest.execute.shell,
    script: body.script,
    timeout: manifest.execute.timeout,
    run_as: manifest.execute.run_as,
    ...(manifest.execute.cwd !== undefined ? { cwd: manifest.execute.cwd } : {}),
    created_by: actor,
    created_at: now.toISOString(),
  };
}

/** The job manifest an ad-hoc run becomes when promoted: the same script, shell, timeout and run_as. */
export function manifestFromRun(s: AdhocScript, job: { id: string; version: string; description?: string | undefined }): Record<string, unknown> {
  return {
    id: job.id,
    version: job.version,
    description: job.description ?? `Promoted from ad-hoc run ${s.exec_id} by ${s.created_by}`,
    execute: { shell: s.shell, script: s.script, timeout: s.timeout, run_as: s.run_as, ...(s.cwd !== undefined ? { cwd: s.cwd } : {}) },
  };
}
