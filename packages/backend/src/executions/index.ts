/**
 * The executions use case: firing a job at PCs, approvals, kills, expiry, and reading executions back.
 * Every state change commits together with its audit record and, where the broker must act, an intent
 * that survives a crash (see intents.ts).
 */
import {
  ADHOC_JOB_ID,
  FINAL_EXECUTION_STATES,
  KanadeError,
  SCRIPT_STATUS,
  type AdhocScript,
  type ParsedRunRequest,
  type ApprovalResponse,
  type ExecRequest,
  type ExecResponse,
  type ExecutionDetail,
  type ExecutionSummary,
  type ListResponse,
  type Manifest,
} from "@kanade/protocol";
import { v7 as uuidv7 } from "uuid";
import { SYSTEM_CALLER, type Caller } from "../caller.js";
import { page, type PageKey } from "../cursor.js";
import { manifestDigest } from "../jobs/digest.js";
import { adhocRecord, adhocRun, checkAdhocAllowed } from "./adhoc.js";
import { decide, expireOverdue } from "./approvals.js";
import type { ExecutionsDeps } from "./deps.js";
import { endWaits } from "./end-waits.js";
import { createIntentRunner, type IntentRunner } from "./intents.js";
import { normalizeTarget, planCommands } from "./publish.js";
import { narrowRequest } from "./scope-target.js";
import type { ExecTarget, ExecutionRecord, Intent, StoredState } from "./types.js";
import { approvalInfo, settleRows, summaryOf } from "./view.js";

export type { AdhocPolicy, ExecutionsDeps, JobSource } from "./deps.js";
export type { ExecutionsStore } from "./store.js";
export type { ExecTarget, ExecutionRecord, StoredState } from "./types.js";

export interface ExecutionList {
  limit: number;
  after?: PageKey;
  job_id?: string;
  state?: StoredState;
  /** Lowercase hex: a prefix or suffix of the exec_id without dashes. */
  id?: string;
  /** A caller scoped by permission groups: only the executions it may see. */
  visibleTo?: { pcs: readonly string[]; actor: string };
}

export interface StartOptions {
  /** A caller that records the exec_id before firing (a schedule's claim of an occurrence) names it here. */
  execId?: string;
}

export interface Executions {
  /** Fires a job: published at once, or held as `pending_approval` when the job requires approval. */
  start(caller: Caller, jobId: string, request: ExecRequest, opts?: StartOptions): Promise<ExecResponse>;
  /** Runs an operator's script without a job (issue 17): the same execution, audited as `run.create`. */
  startAdhoc(caller: Caller, body: ParsedRunRequest): Promise<ExecResponse>;
  /** The script an ad-hoc execution recorded; CONFLICT for a job's execution. */
  adhocScript(execId: string): Promise<AdhocScript>;
  /**
   * Opens the execution of an occurrence an agent-side schedule fires on the PCs themselves (nothing is
   * published: each PC runs its signed standing order and its result joins this exec_id, however late).
   * Idempotent: an execution that exists already is left as it is.
   */
  recordAgentFired(caller: Caller, jobId: string, request: ExecRequest, opts: { execId: string; scheduleId: string; occurrence: string }): Promise<ExecResponse>;
  decide(caller: Caller, execId: string, decision: "approved" | "rejected", seenDigest?: string): Promise<ApprovalResponse>;
  kill(caller: Caller, execId: string): Promise<{ exec_id: string; killed: true }>;
  get(execId: string, withRows: boolean): Promise<ExecutionDetail | ExecutionSummary>;
  /** Resolves once the execution has ended (a final state) or after `ms`; EXECUTION_NOT_FOUND for an unknown id. */
  waitEnded(execId: string, ms: number): Promise<void>;
  /** The results projector stored results of these executions (wakes `waitEnded`). */
  resultsStored(execIds: Iterable<string>): void;
  /** Answers every `waitEnded` now (the HTTP server is closing). */
  releaseWaits(): void;
  list(filter: ExecutionList): Promise<ListResponse<ExecutionSummary>>;
  /** Finishes or fails what a stopped backend left half-done, then keeps retrying withdrawals and expiring approvals. */
  startBackground(opts: { expirySweepMs: number }): Promise<() => void>;
  expireOverdue(): Promise<string[]>;
  countByState(): Promise<{ state: string; n: number }[]>;
  /** The execution store is empty (a rebuild may be due). */
  isEmpty(): Promise<boolean>;
}

/** Hex digest of the job's script object, or undefined for inline scripts; CONFLICT when the object is missing. */
async function scriptDigest(deps: ExecutionsDeps, manifest: Manifest): Promise<string | undefined> {
  const key = manifest.execute.script_object;
  if (key === undefined) return undefined;
  const sha = await deps.jobs.scriptObjectSha256(key);
  if (!sha) {
    throw new KanadeError("CONFLICT", `Job "${manifest.id}" runs script object "${key}", which is not in the scripts store; publish it first`);
  }
  return sha;
}

/** The target as stored; NO_TARGET when the request names none. */
function requireTarget(request: ExecRequest): ExecTarget {
  const target = normalizeTarget(request);
  if (!target.pcs && !target.groups && !target.all) {
    throw new KanadeError("NO_TARGET", "No target: give pcs, groups or all", {
      details: [{ path: "", message: "one of pcs, groups or all is required" }],
    });
  }
  return target;
}

const readFrozen = (deps: ExecutionsDeps): Promise<string | undefined> => (deps.frozen ? deps.frozen() : Promise.resolve(undefined));

/** Why the fleet is frozen (and the request says to run anyway), or undefined; FLEET_FROZEN otherwise. */
function freezeCheck(request: ExecRequest, frozen: string | undefined): string | undefined {
  if (frozen !== undefined && request.during_freeze !== true) {
    throw new KanadeError("FLEET_FROZEN", `${frozen}; nothing was run. Run it anyway with --during-freeze (during_freeze: true)`);
  }
  return frozen;
}

interface Launch {
  manifest: Manifest;
  scriptSha256: string | undefined;
  request: ExecRequest;
  target: ExecTarget;
  frozen: string | undefined;
  execId: string;
  action: "exec" | "run";
  adhoc?: AdhocScript;
}

export function createExecutions(deps: ExecutionsDeps): Executions {
  const runner: IntentRunner = createIntentRunner({
    store: deps.store,
    broker: deps.broker,
    // An ad-hoc run has no catalog entry: pinning `script_current.adhoc` would make agents skip older runs (124).
    setCurrent: (id, version) => (id === ADHOC_JOB_ID ? Promise.resolve() : deps.jobs.setCurrent(id, version)),
    audit: deps.audit,
    log: deps.log,
    clock: deps.clock,
  });
  const publishOrThrow = async (intent: Extract<Intent, { kind: "publish" }>): Promise<void> => {
    const outcome = await runner.publish(intent);
    if (!outcome.ok) throw outcome.error;
  };
  const mustGet = async (execId: string): Promise<ExecutionRecord> => {
    const e = await deps.store.get(execId);
    if (!e) throw new KanadeError("EXECUTION_NOT_FOUND", `No execution "${execId}"`);
    return e;
  };
  const summary = async (e: ExecutionRecord): Promise<ExecutionSummary> => summaryOf(e, await deps.store.counts(e.exec_id));
  const waits = endWaits();

  /** Records and fires one execution (a job's or an ad-hoc script's): held for approval, or published now. */
  const launch = async (caller: Caller, l: Launch): Promise<ExecResponse> => {
    const { manifest, scriptSha256, request, target, frozen, execId } = l;
    const jobId = manifest.id;
    const digest = manifestDigest(manifest, scriptSha256);
    const now = deps.clock();
    const targets = await deps.resolveTargets(target);
    const base = {
      exec_id: execId,
      job_id: jobId,
      version: manifest.version,
      target,
      target_count: targets.length,
      created_at: now.toISOString(),
      issued_by: caller.actor,
      killed_at: null,
      manifest_digest: digest,
      state_reason: null,
    };
    const about = {
      exec_id: execId,
      version: manifest.version,
      target,
      target_count: targets.length,
      manifest_digest: digest,
      // An ad-hoc run's script is part of its record: the audit trail alone can rebuild it (projector/rebuild.ts).
      ...(l.adhoc
        ? { shell: l.adhoc.shell, script: l.adhoc.script, timeout: l.adhoc.timeout, run_as: l.adhoc.run_as, ...(l.adhoc.cwd !== undefined ? { cwd: l.adhoc.cwd } : {}) }
        : {}),
      ...(frozen !== undefined ? { during_freeze: true, freeze: frozen } : {}),
    };
    // An ad-hoc run is audited as run.create whether it runs now or waits; its target is its exec_id.
    const auditTarget = l.adhoc ? execId : jobId;
    const adhoc = l.adhoc ? { adhoc: l.adhoc } : {};
    const log = deps.log.child({ exec_id: execId, job_id: jobId });

    if (manifest.require_approval) {
      const expiresAt = new Date(now.getTime() + deps.approvalTtlMs).toISOString();
      await deps.store.create({
        execution: { ...base, state: "pending_approval" },
        targets,
        approval: {
          exec_id: execId,
          requested_by: caller.actor,
          request,
          manifest,
          manifest_digest: digest,
          script_sha256: scriptSha256 ?? null,
          expires_at: expiresAt,
        },
        ...adhoc,
        audit: deps.audit.build(caller, {
          action: l.action === "run" ? "run.create" : "exec.request_approval",
          target: auditTarget,
          payload: { ...about, expires_at: expiresAt, state: "pending_approval" },
        }),
      });
      deps.audit.committed();
      log.info({ expires_at: expiresAt }, "execution waits for approval");
      return { exec_id: execId, target_count: targets.length, state: "pending_approval" };
    }

    const intent: Extract<Intent, { kind: "publish" }> = {
      kind: "publish",
      exec_id: execId,
      created_at: base.created_at,
      job_id: jobId,
      version: manifest.version,
      target,
      plans: planCommands({ manifest, execId, request, target, issuedAt: now, issuedBy: caller.actor, scriptSha256, seal: deps.seal.command }),
    };
    // Row, expected PCs, intent and audit record commit together before anything reaches the broker.
    await deps.store.create({
      execution: { ...base, state: "running" },
      targets,
      intent,
      ...adhoc,
      audit: deps.audit.build(caller, { action: l.action === "run" ? "run.create" : "exec.create", target: auditTarget, payload: about }),
    });
    deps.audit.committed();
    await publishOrThrow(intent);
    log.info({ target_count: targets.length }, "execution started");
    return { exec_id: execId, target_count: targets.length, state: "running" };
  };

  return {
    start: async (caller, jobId, asked, opts = {}) => {
      const { request, scopedTo } = narrowRequest(asked, caller.scope);
      const target = requireTarget(request);
      if (!deps.broker.connected()) throw new KanadeError("NATS_UNAVAILABLE", "The NATS broker cannot be reached; try again shortly");
      // Three KV reads, each a broker round trip before the command can go out: asked at once, judged in order.
      const [manifest, frozenNow, status] = await Promise.all([deps.jobs.get(jobId), readFrozen(deps), deps.jobs.status(jobId)]);
      if (!manifest) throw new KanadeError("JOB_NOT_FOUND", `No job "${jobId}"`);
      const frozen = freezeCheck(request, frozenNow);
      if (status === SCRIPT_STATUS.REVOKED) {
        throw new KanadeError("CONFLICT", `Job "${jobId}" is revoked; run "kanade unrevoke ${jobId}" first`);
      }
      const scriptSha256 = await scriptDigest(deps, manifest);
      const answer = await launch(caller, { manifest, scriptSha256, request, target, frozen, execId: opts.execId ?? uuidv7(), action: "exec" });
      return scopedTo ? { ...answer, scoped_to: scopedTo } : answer;
    },

    startAdhoc: async (caller, body) => {
      checkAdhocAllowed(caller, deps.adhoc);
      const adhocAsked = adhocRun(body, deps.adhoc);
      const manifest = adhocAsked.manifest;
      const { request, scopedTo } = narrowRequest(adhocAsked.request, caller.scope);
      const target = requireTarget(request);
      if (!deps.broker.connected()) throw new KanadeError("NATS_UNAVAILABLE", "The NATS broker cannot be reached; try again shortly");
      const frozen = freezeCheck(request, await readFrozen(deps));
      const execId = uuidv7();
      const adhoc = adhocRecord(execId, body, manifest, caller.actor, deps.clock());
      const answer = await launch(caller, { manifest, scriptSha256: undefined, request, target, frozen, execId, action: "run", adhoc });
      return scopedTo ? { ...answer, scoped_to: scopedTo } : answer;
    },

    adhocScript: async (execId) => {
      await mustGet(execId);
      const s = await deps.store.adhocScript(execId);
      if (!s) throw new KanadeError("CONFLICT", `Execution ${execId} ran a job, not an ad-hoc script; its job is "${(await mustGet(execId)).job_id}"`);
      return s;
    },

    recordAgentFired: async (caller, jobId, request, opts) => {
      const existing = await deps.store.get(opts.execId);
      if (existing) return { exec_id: existing.exec_id, target_count: existing.target_count, state: "running" };
      const manifest = await deps.jobs.get(jobId);
      if (!manifest) throw new KanadeError("JOB_NOT_FOUND", `No job "${jobId}"`);
      const target = normalizeTarget(request);
      const scriptSha256 = await scriptDigest(deps, manifest);
      const digest = manifestDigest(manifest, scriptSha256);
      const now = deps.clock().toISOString();
      const targets = await deps.resolveTargets(target);
      const about = { exec_id: opts.execId, version: manifest.version, target, target_count: targets.length, manifest_digest: digest, runs_on: "agent", schedule_id: opts.scheduleId, occurrence: opts.occurrence };
      await deps.store.create({
        execution: {
          exec_id: opts.execId,
          job_id: jobId,
          version: manifest.version,
          state: "running",
          target,
          target_count: targets.length,
          created_at: now,
          issued_by: caller.actor,
          killed_at: null,
          manifest_digest: digest,
          state_reason: null,
        },
        targets,
        audit: deps.audit.build(caller, { action: "exec.create", target: jobId, payload: about }),
      });
      deps.audit.committed();
      deps.log.info({ exec_id: opts.execId, job_id: jobId, schedule_id: opts.scheduleId, occurrence: opts.occurrence, target_count: targets.length }, "agent-side occurrence opened");
      return { exec_id: opts.execId, target_count: targets.length, state: "running" };
    },

    decide: async (caller, execId, decision, seenDigest) => {
      await expireOverdue(deps, SYSTEM_CALLER);
      return decide(deps, caller, execId, decision, seenDigest, publishOrThrow);
    },

    kill: async (caller, execId) => {
      const e = await mustGet(execId);
      const now = deps.clock().toISOString();
      const killAudit = (payload: Record<string, unknown>) => deps.audit.build(caller, { action: "exec.kill", target: execId, payload: { job_id: e.job_id, ...payload } });
      if (e.state === "pending_approval") {
        // Nothing was published yet: a kill cancels the request, so a later approval cannot start it.
        const moved = await deps.store.transition(execId, {
          from: ["pending_approval"],
          to: "rejected",
          reason: `killed by ${caller.actor} before it was approved`,
          decision: { by: caller.actor, at: now, decision: "rejected" },
          audit: killAudit({ before_approval: true }),
        });
        if (moved) {
          deps.audit.committed();
          waits.changed([execId]);
          return { exec_id: execId, killed: true };
        }
      }
      const current = await mustGet(execId);
      if (current.state === "rejected" || current.state === "expired" || current.state === "pending_approval") {
        throw new KanadeError("CONFLICT", `Execution ${execId} is ${current.state}; nothing of it runs`);
      }
      if (!deps.broker.connected()) throw new KanadeError("NATS_UNAVAILABLE", "The NATS broker cannot be reached; try again shortly");
      const intent: Extract<Intent, { kind: "withdraw" }> = { kind: "withdraw", exec_id: execId, created_at: now, target: current.target, issued_by: caller.actor };
      const stays = current.state === "failed_to_publish";
      await deps.store.transition(execId, {
        from: ["running", "killed", "failed_to_publish"],
        to: stays ? "failed_to_publish" : "killed",
        ...(stays ? {} : { killedAt: now }),
        removeIntents: ["publish"],
        addIntent: intent,
        audit: killAudit({}),
      });
      deps.audit.committed();
      waits.changed([execId]);
      if (!(await runner.withdraw(intent))) {
        throw new KanadeError(
          "NATS_UNAVAILABLE",
          `Kill of ${execId} is recorded, but the broker did not take it yet; the kill message and the purge are retried until it does`,
        );
      }
      return { exec_id: execId, killed: true };
    },

    get: async (execId, withRows) => {
      const e = await mustGet(execId);
      const s = await summary(e);
      const approval = await deps.store.approval(execId);
      const extra = approval ? { approval: approvalInfo(approval) } : {};
      if (!withRows) return { ...s, ...extra };
      return { ...s, ...extra, rows: settleRows(e, await deps.store.rows(execId)) };
    },

    waitEnded: (execId, ms) => waits.wait(execId, ms, async () => FINAL_EXECUTION_STATES.includes((await summary(await mustGet(execId))).state)),
    resultsStored: (execIds) => waits.changed(execIds),
    releaseWaits: () => waits.releaseAll(),

    list: async (filter) => {
      const rows = await deps.store.list({ ...filter, limit: filter.limit + 1 });
      const p = page(rows, filter.limit, (e) => ({ at: e.created_at, id: e.exec_id }));
      return { items: await Promise.all(p.items.map(summary)), next_cursor: p.next_cursor };
    },

    expireOverdue: () => expireOverdue(deps, SYSTEM_CALLER),
    countByState: () => deps.store.countByState(),
    isEmpty: () => deps.store.isEmpty(),

    startBackground: async ({ expirySweepMs }) => {
      await runner.sweep(true);
      const stopIntents = runner.start();
      const sweep = (): void =>
        void expireOverdue(deps, SYSTEM_CALLER)
          .then((ids) => ids.forEach((id) => deps.log.info({ exec_id: id }, "approval expired")))
          .catch((err: unknown) => deps.log.error({ err }, "approval expiry sweep failed"));
      sweep();
      const timer = setInterval(sweep, expirySweepMs);
      timer.unref();
      return () => {
        clearInterval(timer);
        stopIntents();
      };
    },
  };
}
