/**
 * Rebuilding the database from the streams (SPEC §7: replaying into an empty database rebuilds it).
 * Results and started events come back by recreating the durable consumers so they deliver everything
 * again; executions come back from their `audit.exec.create` / `audit.exec.kill` events.
 */
import { JetStreamApiCodes, JetStreamApiError, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { z } from "zod";
import { STREAMS, subjects, type ExecutionState } from "@kanade/protocol";
import type { Store } from "../db/index.js";
import type { Nats } from "../nats.js";
import { AUDIT_DURABLE } from "./audit.js";
import { RESULTS_DURABLE } from "./results.js";
import { STARTED_DURABLE } from "./started.js";

export interface RebuildDeps {
  nats: Nats;
  store: Store;
  log: Logger;
}

/** Why a rebuild runs, or undefined when it does not. */
export type RebuildReason = "requested" | "database empty but results were already projected";

/** `force` (`--rebuild`) always rebuilds; otherwise only an empty database behind a used durable consumer does. */
export async function rebuildReason(deps: RebuildDeps, force: boolean): Promise<RebuildReason | undefined> {
  if (force) return "requested";
  const empty =
    (await deps.store.listResults({ limit: 1 })).length === 0 && (await deps.store.listExecutions({ limit: 1 })).length === 0;
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
  // The audit trail lives in the same database: replay it too.
  await deleteConsumer(nats, STREAMS.AUDIT, AUDIT_DURABLE);
  const executions = await replayExecutions(deps);
  log.info({ executions }, "executions restored from AUDIT; results and started events replay through the projectors");
  return { results, executions };
}

const execCreated = z.object({
  at: z.string(),
  actor: z.string(),
  target: z.string(),
  payload_summary: z.object({
    exec_id: z.string(),
    version: z.string(),
    target: z.object({ pcs: z.array(z.string()).optional(), groups: z.array(z.string()).optional(), all: z.boolean().optional() }),
    target_count: z.number().int(),
  }),
});
const execKilled = z.object({ at: z.string(), target: z.string() });
const execDecided = z.object({ target: z.string() });

async function replayExecutions(deps: RebuildDeps): Promise<number> {
  let restored = 0;
  const restore = async (value: unknown, state: (execId: string) => ExecutionState): Promise<void> => {
    const e = execCreated.parse(value);
    const p = e.payload_summary;
    if (await deps.store.getExecution(p.exec_id)) return;
    // Group and fleet members at fire time are not recorded; their rows come back from their results.
    await deps.store.insertExecution(
      {
        exec_id: p.exec_id,
        job_id: e.target,
        version: p.version,
        state: state(p.exec_id),
        target: p.target,
        target_count: p.target_count,
        created_at: e.at,
        issued_by: e.actor,
        killed_at: null,
      },
      p.target.pcs ?? [],
    );
    restored++;
  };
  await readAll(deps, subjects.audit("exec.create"), (value) => restore(value, () => "running"));
  // Executions that waited for approval: approved ones ran, rejected ones never did. One still pending
  // when the database was lost cannot be approved any more (its request is gone): it comes back expired.
  const decided = new Map<string, ExecutionState>();
  await readAll(deps, subjects.audit("exec.approve"), async (value) => void decided.set(execDecided.parse(value).target, "running"));
  await readAll(deps, subjects.audit("exec.reject"), async (value) => void decided.set(execDecided.parse(value).target, "rejected"));
  await readAll(deps, subjects.audit("exec.request_approval"), (value) => restore(value, (id) => decided.get(id) ?? "expired"));
  await readAll(deps, subjects.audit("exec.kill"), async (value) => {
    const k = execKilled.parse(value);
    await deps.store.markKilled(k.target, k.at);
  });
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
