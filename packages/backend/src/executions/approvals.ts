/**
 * Deciding on a `require_approval` execution. The approval binds the content that was requested (its
 * manifest snapshot and digest): if the job changed since, the execution cannot run and ends `rejected`
 * saying so. The conditional state change is the gate, so an execution is published at most once.
 */
import { ADHOC_JOB_ID, KanadeError, SCRIPT_STATUS, type ApprovalResponse } from "@kanade/protocol";
import type { Caller } from "../caller.js";
import { manifestDigest, shortDigest } from "../jobs/digest.js";
import type { ExecutionsDeps } from "./deps.js";
import { planCommands } from "./publish.js";
import type { ApprovalRecord, ExecutionRecord, Intent } from "./types.js";

/** Why a decision cannot be taken now, in the operator's words. */
export function notPending(e: ExecutionRecord): KanadeError {
  const state = e.state === "running" ? "already approved" : e.state;
  return new KanadeError("CONFLICT", `Execution ${e.exec_id} is not waiting for approval (it is ${state})`);
}

/** The digest of the job as it is now, or why it cannot run any more. */
async function currentDigest(deps: ExecutionsDeps, jobId: string): Promise<{ digest: string } | { gone: string }> {
  const manifest = await deps.jobs.get(jobId);
  if (!manifest) return { gone: `job "${jobId}" was deleted` };
  const key = manifest.execute.script_object;
  const sha = key === undefined ? undefined : await deps.jobs.scriptObjectSha256(key);
  if (key !== undefined && !sha) return { gone: `script object "${key}" was removed` };
  return { digest: manifestDigest(manifest, sha) };
}

export async function decide(
  deps: ExecutionsDeps,
  caller: Caller,
  execId: string,
  decision: "approved" | "rejected",
  seenDigest: string | undefined,
  publish: (intent: Extract<Intent, { kind: "publish" }>) => Promise<void>,
): Promise<ApprovalResponse> {
  const now = deps.clock();
  const e = await deps.store.get(execId);
  if (!e) throw new KanadeError("EXECUTION_NOT_FOUND", `No execution "${execId}"`);
  const a = await deps.store.approval(execId);
  if (!a) throw new KanadeError("CONFLICT", `Execution ${execId} did not need approval`);
  if (a.requested_by === caller.actor) {
    const verb = decision === "approved" ? "approve" : "reject";
    throw new KanadeError("FORBIDDEN", `"${caller.actor}" requested execution ${execId}; a different operator must ${verb} it`);
  }
  const approverGroup = a.manifest?.approval?.approver_group;
  if (approverGroup !== undefined && !(deps.approverGroupMembers?.(approverGroup) ?? []).includes(caller.actor)) {
    throw new KanadeError(
      "FORBIDDEN",
      `Execution ${execId} needs an approver from permission group "${approverGroup}" (approval.approver_group of job "${e.job_id}"); "${caller.actor}" is not in it`,
    );
  }
  if (e.state !== "pending_approval") throw notPending(e);
  if (Date.parse(a.expires_at) <= now.getTime()) throw notPending({ ...e, state: "expired" });
  const decided = { by: caller.actor, at: now.toISOString() };
  const response = (state: ApprovalResponse["state"]): ApprovalResponse => ({ exec_id: execId, state, decided_by: caller.actor, decided_at: decided.at });

  if (decision === "rejected") {
    const moved = await deps.store.transition(execId, {
      from: ["pending_approval"],
      to: "rejected",
      decision: { ...decided, decision: "rejected" },
      audit: deps.audit.build(caller, { action: "exec.reject", target: execId, payload: { job_id: e.job_id, requested_by: a.requested_by } }),
    });
    if (!moved) throw notPending((await deps.store.get(execId)) ?? e);
    deps.audit.committed();
    return response("rejected");
  }

  if (seenDigest !== undefined && !(a.manifest_digest ?? "").startsWith(seenDigest)) {
    throw new KanadeError(
      "CONFLICT",
      `You approved content ${seenDigest.slice(0, 12)}, but execution ${execId} is for ${shortDigest(a.manifest_digest ?? "?")}; look at it again`,
    );
  }
  if ((await deps.jobs.status(e.job_id)) === SCRIPT_STATUS.REVOKED) {
    throw new KanadeError("CONFLICT", `Job "${e.job_id}" is revoked; reject ${execId}, or unrevoke the job first`);
  }
  const { manifest, digest } = snapshotOf(a, e);
  // An ad-hoc run has no catalog entry that could change: what was requested is its whole content.
  const now_ = e.job_id === ADHOC_JOB_ID ? { digest } : await currentDigest(deps, e.job_id);
  if ("gone" in now_ || now_.digest !== digest) {
    const reason =
      "gone" in now_
        ? `not run: ${now_.gone} after it was requested`
        : `not run: job "${e.job_id}" changed after it was requested (content ${shortDigest(digest)} was requested, the job is now ${shortDigest(now_.digest)})`;
    await deps.store.transition(execId, {
      from: ["pending_approval"],
      to: "rejected",
      reason,
      decision: { ...decided, decision: "rejected" },
      audit: deps.audit.build(caller, {
        action: "exec.reject",
        target: execId,
        payload: { job_id: e.job_id, requested_by: a.requested_by, job_changed: true, reason },
      }),
    });
    deps.audit.committed();
    throw new KanadeError("CONFLICT", `Execution ${execId} ${reason}; exec the job again to review the new content`);
  }

  const plans = planCommands({
    manifest,
    execId,
    request: a.request,
    target: e.target,
    issuedAt: now,
    issuedBy: a.requested_by,
    scriptSha256: a.script_sha256 ?? undefined,
    seal: deps.seal.command,
  });
  const intent: Extract<Intent, { kind: "publish" }> = {
    kind: "publish",
    exec_id: execId,
    created_at: decided.at,
    job_id: e.job_id,
    version: e.version,
    target: e.target,
    plans,
  };
  const moved = await deps.store.transition(execId, {
    from: ["pending_approval"],
    to: "running",
    decision: { ...decided, decision: "approved" },
    addIntent: intent,
    audit: deps.audit.build(caller, {
      action: "exec.approve",
      target: execId,
      payload: { job_id: e.job_id, requested_by: a.requested_by, manifest_digest: digest },
    }),
  });
  if (!moved) throw notPending((await deps.store.get(execId)) ?? e);
  deps.audit.committed();
  await publish(intent);
  return response("running");
}

/** The content an approval is about; approvals stored before digests existed fall back to the version. */
function snapshotOf(a: ApprovalRecord, e: ExecutionRecord): { manifest: NonNullable<ApprovalRecord["manifest"]>; digest: string } {
  if (a.manifest && a.manifest_digest) return { manifest: a.manifest, digest: a.manifest_digest };
  throw new KanadeError("CONFLICT", `Execution ${e.exec_id} was requested before approvals recorded their content; reject it and exec again`);
}

/** Marks overdue approvals expired (audited as the system); returns their exec_ids. */
export async function expireOverdue(deps: ExecutionsDeps, system: Caller): Promise<string[]> {
  const now = deps.clock().toISOString();
  const expired: string[] = [];
  for (const id of await deps.store.overdueApprovals(now)) {
    const moved = await deps.store.transition(id, {
      from: ["pending_approval"],
      to: "expired",
      decision: { by: system.actor, at: now, decision: "expired" },
      audit: deps.audit.build(system, { action: "exec.expire", target: id }),
    });
    if (moved) expired.push(id);
  }
  if (expired.length) deps.audit.committed();
  return expired;
}
