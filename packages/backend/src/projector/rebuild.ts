/**
 * Rebuilding the database from the streams (SPEC §7: replaying into an empty database rebuilds it).
 * Results and started events come back by recreating the durable consumers so they deliver everything
 * again; executions come back from their `audit.exec.*` events.
 */
import { JetStreamApiCodes, JetStreamApiError, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { z } from "zod";
import { ADHOC_JOB_ID, SHELLS, STREAMS, runAsSchema, subjects, type AdhocScript } from "@kanade/protocol";
import type { ExecutionsStore } from "../executions/store.js";
import type { ResultsStore } from "../results/store.js";
import type { Nats } from "../nats.js";
import { AUDIT_DURABLE } from "./audit.js";
import { RESULTS_DURABLE } from "./results.js";
import { STARTED_DURABLE } from "./started.js";
import { NOTIFICATIONS_DURABLE } from "./notifications.js";
import { EVENTS_DURABLE } from "../events/projector.js";

export interface RebuildDeps {
  nats: Nats;
  executions: ExecutionsStore;
  results: Pick<ResultsStore, "isEmpty">;
  log: Logger;
}

/** Why a rebuild runs, or undefined when it does not. */
export type RebuildReason = "requested" | "database empty but results were already projected";

/** `force` (`--rebuild`) always rebuilds; otherwise only an empty database behind a used durable consumer does. */
export async function rebuildReason(deps: RebuildDeps, force: boolean): Promise<RebuildReason | undefined> {
  if (force) return "requested";
  const empty = (await deps.results.isEmpty()) && (await deps.executions.isEmpty());
  if (!empty) return undefined;
  const info = await consumerInfo(deps.nats, STREAMS.RESULTS, RESULTS_DURABLE);
  return info && info.delivered.stream_seq > 0 ? "database empty but results were already projected" : undefined;
}

/** Runs before the projectors start: they then recreate their consumers with deliver_all and replay. */
export async function rebuildFromStreams(deps: RebuildDeps, reason: RebuildReason): Promise<{ results: number; executions: number }> {
  const { nats, log } = deps;
  const results = (await nats.jsm.streams.info(STREAMS.RESULTS)).state.messages;
  log.warn({ reason, messages: results, stream: STREAMS.RESULTS }, `rebuilding from RESULTS: ${results} messages`);
  await deleteConsumer(nats, STREAMS.RESULTS, RESULTS_DURABLE);
  await deleteConsumer(nats, STREAMS.EVENTS, STARTED_DURABLE);
  await deleteConsumer(nats, STREAMS.EVENTS, NOTIFICATIONS_DURABLE);
  // Timeline events the stream still holds (7 days); online/offline were the backend's own and are not in it.
  await deleteConsumer(nats, STREAMS.EVENTS, EVENTS_DURABLE);
  // The audit trail lives in the same database: replay it too.
  await deleteConsumer(nats, STREAMS.AUDIT, AUDIT_DURABLE);
  const executions = await replayExecutions(deps);
  log.info({ executions }, "executions restored from AUDIT; results and started events replay through the projectors");
  return { results, executions };
}

const auditEvent = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  payload_summary: z.record(z.string(), z.unknown()).default({}),
});
const execCreated = z.object({
  exec_id: z.string(),
  version: z.string(),
  target: z.object({ pcs: z.array(z.string()).optional(), groups: z.array(z.string()).optional(), all: z.boolean().optional() }),
  target_count: z.number().int(),
  manifest_digest: z.string().optional(),
});
/** What `run.create` adds for an ad-hoc run: the script, so a rebuilt database can still show and promote it. */
const runCreated = execCreated.extend({
  state: z.enum(["running", "pending_approval"]).optional(),
  shell: z.enum(SHELLS),
  script: z.string(),
  timeout: z.string(),
  run_as: runAsSchema.default("system"),
  cwd: z.string().optional(),
});
const withReason = z.object({ reason: z.string().optional(), before_approval: z.boolean().optional() });

const LOST_APPROVAL = "the database was rebuilt while it waited for approval; its request was lost";

/**
 * Replays every `audit.run.create` (ad-hoc runs) and `audit.exec.*` event in stream order: creations restore
 * executions, later events their state.
 * Group and fleet members at fire time are not recorded; their rows come back from their results.
 */
async function replayExecutions(deps: RebuildDeps): Promise<number> {
  let restored = 0;
  const pending = new Set<string>();
  /** An execution from its creation record (exec.create, exec.request_approval or run.create). */
  const restoreCreated = async (
    e: z.infer<typeof auditEvent>,
    c: z.infer<typeof execCreated>,
    jobId: string,
    state: "running" | "pending_approval",
    adhoc?: AdhocScript,
  ): Promise<void> => {
    const execution = {
      exec_id: c.exec_id,
      job_id: jobId,
      version: c.version,
      state,
      target: c.target,
      target_count: c.target_count,
      created_at: e.at,
      issued_by: e.actor,
      killed_at: null,
      manifest_digest: c.manifest_digest ?? null,
      state_reason: null,
    };
    if (await deps.executions.restore(execution, c.target.pcs ?? [], adhoc)) restored++;
    if (state === "pending_approval") pending.add(c.exec_id);
  };
  // Ad-hoc runs first (audit.run.*: one filter per consumer on nats-server 2.9); their kills and approvals
  // are exec.* events, which come after their creation and are applied in the pass below.
  await readAll(deps, subjects.audit("run.>"), async (value) => {
    const e = auditEvent.parse(value);
    if (e.action !== "run.create") return;
    const c = runCreated.parse(e.payload_summary);
    const adhoc = {
      exec_id: c.exec_id,
      shell: c.shell,
      script: c.script,
      timeout: c.timeout,
      run_as: c.run_as,
      ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
      created_by: e.actor,
      created_at: e.at,
    };
    await restoreCreated(e, c, ADHOC_JOB_ID, c.state ?? "running", adhoc);
  });
  await readAll(deps, subjects.audit("exec.>"), async (value) => {
    const e = auditEvent.parse(value);
    const p = e.payload_summary;
    const reason = withReason.parse(p).reason;
    switch (e.action) {
      case "exec.create":
      case "exec.request_approval": {
        const c = execCreated.parse(p);
        await restoreCreated(e, c, e.target, e.action === "exec.create" ? "running" : "pending_approval");
        return;
      }
      case "exec.approve":
        pending.delete(e.target);
        return deps.executions.restoreState(e.target, { state: "running" });
      case "exec.reject":
        pending.delete(e.target);
        return deps.executions.restoreState(e.target, { state: "rejected", ...(reason ? { reason } : {}) });
      case "exec.expire":
        pending.delete(e.target);
        return deps.executions.restoreState(e.target, { state: "expired" });
      case "exec.publish_failed":
        return deps.executions.restoreState(e.target, { state: "failed_to_publish", ...(reason ? { reason } : {}) });
      case "exec.kill":
        if (withReason.parse(p).before_approval || pending.has(e.target)) {
          pending.delete(e.target);
          return deps.executions.restoreState(e.target, { state: "rejected", reason: `killed by ${e.actor} before it was approved` });
        }
        return deps.executions.restoreState(e.target, { state: "killed", killedAt: e.at });
      default:
        return;
    }
  });
  // One still pending when the database was lost cannot be approved any more (its request is gone).
  for (const id of pending) await deps.executions.restoreState(id, { state: "expired", reason: LOST_APPROVAL });
  return restored;
}

/** Reads every message on one subject of AUDIT with an ordered consumer (one filter: nats-server 2.9). */
async function readAll(deps: RebuildDeps, subject: string, onValue: (value: unknown) => Promise<void>): Promise<void> {
  const consumer = await deps.nats.js.consumers.get(STREAMS.AUDIT, { filter_subjects: subject });
  let left = (await consumer.info()).num_pending;
  if (left === 0) return;
  const messages = await consumer.consume();
  try {
    for await (const m of messages) {
      await handleOne(deps.log, m, onValue);
      if (--left <= 0) break;
    }
  } finally {
    await messages.close();
  }
}

async function handleOne(log: Logger, m: JsMsg, onValue: (value: unknown) => Promise<void>): Promise<void> {
  try {
    await onValue(m.json<unknown>());
  } catch (err) {
    // One malformed audit event must not stop the rest of the rebuild.
    log.warn({ err, subject: m.subject, seq: m.seq }, "audit event skipped during rebuild");
  }
}

async function consumerInfo(nats: Nats, stream: string, durable: string): Promise<{ delivered: { stream_seq: number } } | undefined> {
  try {
    return await nats.jsm.consumers.info(stream, durable);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function deleteConsumer(nats: Nats, stream: string, durable: string): Promise<void> {
  try {
    await nats.jsm.consumers.delete(stream, durable);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.ConsumerNotFound || err.code === JetStreamApiCodes.StreamNotFound)
  );
}
