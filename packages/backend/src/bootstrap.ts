/** Creates or updates every JetStream stream, KV bucket and object store kanade needs (SPEC §3). Idempotent. */
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { nanos } from "@nats-io/transport-node";
import { BUCKETS, KanadeError, OBJECT_STORES, STREAMS, subjects } from "@kanade/protocol";
import type { Logger } from "pino";
import { isNatsUnavailable, type Nats } from "./nats.js";

const DAY_MS = 86_400_000;
const GIB = 1024 * 1024 * 1024;
const RESULTS_MAX_AGE_MS = 30 * DAY_MS;
/** How long EXEC keeps a command for an agent that is away (and so how long a command's signature holds). */
export const DEFAULT_EXEC_MAX_AGE_MS = 7 * DAY_MS;

type StreamSpec = Pick<StreamConfig, "name" | "subjects"> & Partial<StreamConfig>;

/** The stream definitions; exported so tests can check the live config against them. */
export function streamSpecs(opts: BootstrapOptions = {}): StreamSpec[] {
  const base = { retention: RetentionPolicy.Limits, storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: opts.replicas ?? 1 };
  return [
    // Only the newest command per subject survives: an agent that was offline gets just the latest. Direct
    // get puts the subject in the request subject, so the broker can let each agent read only its own.
    { ...base, name: STREAMS.EXEC, subjects: ["commands.>"], max_msgs_per_subject: 1, allow_direct: true, max_age: nanos(opts.execMaxAgeMs ?? DEFAULT_EXEC_MAX_AGE_MS) },
    // The agent publishes with msgID = result_id; a long duplicate window absorbs outbox resends.
    {
      ...base,
      name: STREAMS.RESULTS,
      subjects: [subjects.resultsAll()],
      max_age: nanos(RESULTS_MAX_AGE_MS),
      max_bytes: 2 * GIB,
      duplicate_window: nanos(10 * 60_000),
    },
    { ...base, name: STREAMS.EVENTS, subjects: ["events.>"], max_age: nanos(7 * DAY_MS) },
    // The projection keeps only each PC's newest report per category, so the stream does too: one report per
    // subject (inventory.<pc>.<category>). Keeping every daily report for 90 days held ~28 KB × 90 per PC
    // (120 GB at 50,000 PCs, bench:sizing); the newest per PC stays for a rebuild, and a PC gone 90 days ages out.
    { ...base, name: STREAMS.INVENTORY, subjects: [subjects.inventoryAll()], max_msgs_per_subject: 1, max_age: nanos(90 * DAY_MS) },
    { ...base, name: STREAMS.AUDIT, subjects: [subjects.auditAll()], max_age: nanos(90 * DAY_MS) },
    { ...base, name: STREAMS.NOTIFICATIONS, subjects: ["notifications.>"], max_age: nanos(90 * DAY_MS) },
  ];
}

/**
 * Adds the stream; when it exists (or another backend just made it) update it to our config instead. The
 * update carries `num_replicas`, so a stream made with another replica count is scaled up or down in place.
 */
export async function ensureStream(nats: Nats, spec: StreamSpec, log: Logger): Promise<void> {
  const replicas = spec.num_replicas ?? 1;
  try {
    await nats.jsm.streams.add(spec);
    log.info({ stream: spec.name, replicas }, "stream created");
  } catch (err) {
    if (!/already in use|already exists/i.test((err as Error).message)) throw replicaError(err, spec.name, replicas, "create");
    const before = (await nats.jsm.streams.info(spec.name)).config.num_replicas;
    await nats.jsm.streams.update(spec.name, spec).catch((e: unknown) => {
      throw replicaError(e, spec.name, replicas, "update");
    });
    if (before !== replicas) {
      log.warn({ stream: spec.name, from: before, to: replicas }, "stream replicas changed");
      await waitForLeader(nats, spec.name);
    }
    log.debug({ stream: spec.name }, "stream updated");
  }
}

/**
 * Scales the stream behind a KV bucket or object store (`KV_<bucket>`, `OBJ_<store>`) to `replicas`: their
 * `create` binds to an existing stream as it is.
 */
async function ensureReplicas(nats: Nats, stream: string, replicas: number, log: Logger): Promise<void> {
  const info = await nats.jsm.streams.info(stream);
  if ((info.config.num_replicas || 1) === replicas) return;
  await nats.jsm.streams.update(stream, { num_replicas: replicas }).catch((e: unknown) => {
    throw replicaError(e, stream, replicas, "update");
  });
  log.warn({ stream, from: info.config.num_replicas, to: replicas }, "stream replicas changed");
  await waitForLeader(nats, stream);
}

const LEADER_WAIT_MS = 30_000;

/** A stream whose replicas changed elects a leader again; until then it takes no writes, so wait for that. */
async function waitForLeader(nats: Nats, stream: string): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    const info = await nats.jsm.streams.info(stream).catch(() => undefined);
    // A single server reports no cluster at all: it is its own leader.
    if (info && (info.cluster === undefined || info.cluster.leader)) return;
    if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader ${LEADER_WAIT_MS / 1000} s after its replicas changed`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The broker refusing a replica count is a configuration problem the operator must fix (a single server asked
 * for R3, a cluster with fewer nodes than replicas, a broker that cannot change a stream's replicas): say so,
 * naming KANADE_NATS_REPLICAS, instead of a bare JetStream error. Other errors pass through unchanged.
 */
function replicaError(err: unknown, stream: string, replicas: number, what: "create" | "update"): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (!/replica|clustered|insufficient resources|no suitable peers|peer/i.test(message)) return err;
  const hint =
    replicas > 1
      ? `${replicas} replicas need a JetStream cluster of at least ${replicas} nodes, every one of them up (docs/operator/topology.md)`
      : "set KANADE_NATS_REPLICAS to the replica count the streams were made with, or scale them with `nats stream edit --replicas`";
  return new KanadeError("INVALID_CONFIG", `KANADE_NATS_REPLICAS=${replicas}: the broker refused to ${what} stream ${stream} with ${replicas} replica(s): ${message}. ${hint}`, {
    details: [{ path: "KANADE_NATS_REPLICAS", message }],
    cause: err,
  });
}

/** A concurrent creator can win the race between the client's info and add calls; one retry binds to it. */
async function twice<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!/already in use|already exists/i.test((err as Error).message)) throw err;
    return await fn();
  }
}

/**
 * Agents read keys by direct get, whose request subject names the key: a broker that scopes agents can then
 * allow each only the keys it needs. Buckets made before that are switched over here.
 */
async function allowDirect(nats: Nats, stream: string, log: Logger): Promise<void> {
  const info = await nats.jsm.streams.info(stream);
  if (info.config.allow_direct) return;
  await nats.jsm.streams.update(stream, { allow_direct: true });
  log.info({ stream }, "direct get enabled");
}

export interface BootstrapOptions {
  /** num_replicas of every stream, KV bucket and object store (KANADE_NATS_REPLICAS; default 1). */
  replicas?: number;
  /** EXEC max_age: an agent offline longer than this gets nothing stale (default 7 days). */
  execMaxAgeMs?: number;
}

const RETRY_MS = 1_000;

/** JetStream cannot answer right now: no meta leader yet (a cluster electing one after a node died), a timeout. */
/** True for an error that means JetStream could not answer in time (not a refusal): worth trying again. */
export function jetStreamBusy(err: unknown): boolean {
  if (err instanceof KanadeError) return false;
  if (isNatsUnavailable(err)) return true;
  return /temporarily unavailable|timeout|no responders/i.test(err instanceof Error ? err.message : String(err));
}

/**
 * `bootstrap`, tried again every second while JetStream cannot answer yet — e.g. the cluster is electing a new
 * meta leader because the node that was leader is down. Refusals (a bad replica count) still fail at once.
 */
export async function bootstrapWhenReady(nats: Nats, log: Logger, opts: BootstrapOptions = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await bootstrap(nats, log, opts);
      return;
    } catch (err) {
      if (!jetStreamBusy(err)) throw err;
      log.warn({ err, attempt }, "JetStream is not answering yet; trying again");
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

export async function bootstrap(nats: Nats, log: Logger, opts: BootstrapOptions = {}): Promise<void> {
  const replicas = opts.replicas ?? 1;
  for (const spec of streamSpecs(opts)) await ensureStream(nats, spec, log);
  const kvm = new Kvm(nats.js);
  for (const bucket of Object.values(BUCKETS)) {
    // history 5 keeps a short trail of job/script changes; KV `create` binds when the bucket exists.
    await twice(() => kvm.create(bucket, { history: 5, allow_direct: true, replicas })).catch((e: unknown) => {
      throw replicaError(e, `KV_${bucket}`, replicas, "create");
    });
    await allowDirect(nats, `KV_${bucket}`, log);
    await ensureReplicas(nats, `KV_${bucket}`, replicas, log);
  }
  const objm = new Objm(nats.js);
  for (const store of Object.values(OBJECT_STORES)) {
    // Full outputs belong to results: they age out with RESULTS instead of piling up forever.
    const storeOpts = { replicas, ...(store === OBJECT_STORES.resultOutput ? { ttl: nanos(RESULTS_MAX_AGE_MS) } : {}) };
    await twice(() => objm.create(store, storeOpts)).catch((e: unknown) => {
      throw replicaError(e, `OBJ_${store}`, replicas, "create");
    });
    await ensureReplicas(nats, `OBJ_${store}`, replicas, log);
  }
  log.info({ replicas }, "JetStream resources ready");
}
