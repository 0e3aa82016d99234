/**
 * Approvals: an exec of a `require_approval` job is stored as `pending_approval` and published only when a
 * different identity approves it. The conditional UPDATE in the store is the gate, so it publishes once.
 */
import type { FastifyRequest } from "fastify";
import { KanadeError, SCRIPT_STATUS, execRequestSchema, type ApprovalResponse, type ExecRequest, type ExecResponse, type Manifest } from "@kanade/protocol";
import type { ExecutionRecord } from "../db/index.js";
import type { RouteDeps } from "../deps.js";
import type { GovernanceDeps } from "../governance/index.js";
import { publishExecution, scriptDigestFor } from "./launch.js";
import type { ExecTarget } from "./publish.js";

function governanceOf(deps: RouteDeps): GovernanceDeps {
  if (!deps.governance) throw new KanadeError("CONFLICT", "Approvals are not available: this backend runs without a governance store");
  return deps.governance;
}

/** Records the execution as pending_approval with its request; publishes nothing. */
export async function holdForApproval(
  deps: RouteDeps,
  req: FastifyRequest,
  opts: { execId: string; manifest: Manifest; target: ExecTarget; targets: string[]; request: ExecRequest; now: Date },
): Promise<ExecResponse> {
  const gov = governanceOf(deps);
  const { execId, manifest, now } = opts;
  const expiresAt = new Date(now.getTime() + gov.approvalTtlMs).toISOString();
  await deps.store.insertExecution(
    {
      exec_id: execId,
      job_id: manifest.id,
      version: manifest.version,
      state: "pending_approval",
      target: opts.target,
      target_count: opts.targets.length,
      created_at: now.toISOString(),
      issued_by: req.actor,
      killed_at: null,
    },
    opts.targets,
  );
  try {
    gov.store.insertApproval({ exec_id: execId, requested_by: req.actor, request: opts.request, expires_at: expiresAt });
  } catch (err) {
    await deps.store.deleteExecution(execId);
    throw err;
  }
  req.log.info({ exec_id: execId, job_id: manifest.id, expires_at: expiresAt }, "execution waits for approval");
  await deps.audit(req, "exec.request_approval", manifest.id, {
    exec_id: execId,
    version: manifest.version,
    target: opts.target,
    target_count: opts.targets.length,
    expires_at: expiresAt,
  });
  return { exec_id: execId, target_count: opts.targets.length, state: "pending_approval" };
}

/** Why a decision cannot be taken now, in the operator's words. */
function notPending(e: ExecutionRecord): KanadeError {
  const state = e.state === "running" ? "already approved" : e.state;
  return new KanadeError("CONFLICT", `Execution ${e.exec_id} is not waiting for approval (it is ${state})`);
}

/** Approves or rejects a pending execution as `req.actor`; an approval publishes the commands (exactly once). */
export async function decide(deps: RouteDeps, req: FastifyRequest, execId: string, decision: "approved" | "rejected"): Promise<ApprovalResponse> {
  const gov = governanceOf(deps);
  const now = deps.clock();
  gov.store.expire(now.toISOString());
  const e = await deps.store.getExecution(execId);
  if (!e) throw new KanadeError("EXECUTION_NOT_FOUND", `No execution "${execId}"`);
  const approval = gov.store.getApproval(execId);
  if (!approval) throw new KanadeError("CONFLICT", `Execution ${execId} did not need approval`);
  if (approval.requested_by === req.actor) {
    throw new KanadeError("FORBIDDEN", `"${req.actor}" requested execution ${execId}; a different operator must ${decision === "approved" ? "approve" : "reject"} it`);
  }
  if (e.state !== "pending_approval") throw notPending(e);
  const request = execRequestSchema.parse(approval.request);

  let manifest: Manifest | undefined;
  let scriptSha256: string | undefined;
  if (decision === "approved") {
    manifest = await deps.catalog.get(e.job_id);
    if (!manifest || manifest.version !== e.version) {
      throw new KanadeError("CONFLICT", `Job "${e.job_id}" changed or was deleted since ${execId} was requested (was ${e.version}); reject it and exec again`);
    }
    if ((await deps.catalog.status(e.job_id)) === SCRIPT_STATUS.REVOKED) {
      throw new KanadeError("CONFLICT", `Job "${e.job_id}" is revoked; reject ${execId}, or unrevoke the job first`);
    }
    scriptSha256 = await scriptDigestFor(deps, manifest);
  }

  if (!gov.store.decide(execId, req.actor, decision, now.toISOString())) {
    const again = await deps.store.getExecution(execId);
    throw again ? notPending(again) : new KanadeError("EXECUTION_NOT_FOUND", `No execution "${execId}"`);
  }
  const log = req.log.child({ exec_id: execId, job_id: e.job_id });
  if (manifest) {
    try {
      const subjects = await publishExecution(deps, {
        manifest,
        execId,
        request,
        target: e.target,
        issuedAt: now,
        issuedBy: approval.requested_by,
        scriptSha256,
      });
      log.info({ subjects, approved_by: req.actor }, "approved execution published");
    } catch (err) {
      // Put it back so the approval can be retried once the broker is reachable.
      gov.store.reopen(execId);
      log.error({ err }, "publishing an approved execution failed");
      throw err;
    }
  }
  await deps.audit(req, decision === "approved" ? "exec.approve" : "exec.reject", execId, {
    job_id: e.job_id,
    requested_by: approval.requested_by,
  });
  return { exec_id: execId, state: decision === "approved" ? "running" : "rejected", decided_by: req.actor, decided_at: now.toISOString() };
}

/** Marks overdue approvals expired, now and then every `intervalMs`; returns a stop function. */
export function startApprovalExpiry(deps: { governance: GovernanceDeps; clock: () => Date; log: RouteDeps["log"] }, intervalMs: number): () => void {
  const sweep = (): void => {
    try {
      const ids = deps.governance.store.expire(deps.clock().toISOString());
      for (const id of ids) deps.log.info({ exec_id: id }, "approval expired");
    } catch (err) {
      deps.log.error({ err }, "approval expiry sweep failed");
    }
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
