/** Creates or updates every JetStream stream, KV bucket and object store kanade needs (SPEC §3). Idempotent. */
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { nanos } from "@nats-io/transport-node";
import { BUCKETS, OBJECT_STORES, STREAMS, subjects } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Nats } from "./nats.js";

const DAY_MS = 86_400_000;
const GIB = 1024 * 1024 * 1024;
const RESULTS_MAX_AGE_MS = 30 * DAY_MS;
/** How long EXEC keeps a command for an agent that is away (and so how long a command's signature holds). */
export const DEFAULT_EXEC_MAX_AGE_MS = 7 * DAY_MS;

type StreamSpec = Pick<StreamConfig, "name" | "subjects"> & Partial<StreamConfig>;

/** The stream definitions; exported so tests can check the live config against them. */
export function streamSpecs(opts: BootstrapOptions = {}): StreamSpec[] {
  const base = { retention: RetentionPolicy.Limits, storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: 1 };
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
    { ...base, name: STREAMS.INVENTORY, subjects: [subjects.inventoryAll()], max_age: nanos(90 * DAY_MS) },
    { ...base, name: STREAMS.AUDIT, subjects: [subjects.auditAll()], max_age: nanos(90 * DAY_MS) },
    { ...base, name: STREAMS.NOTIFICATIONS, subjects: ["notifications.>"], max_age: nanos(90 * DAY_MS) },
  ];
}

/** Adds the stream; when it exists (or another backend just made it) update it to our config instead. */
export async function ensureStream(nats: Nats, spec: StreamSpec, log: Logger): Promise<void> {
  try {
    await nats.jsm.streams.add(spec);
    log.info({ stream: spec.name }, "stream created");
  } catch (err) {
    if (!/already in use|already exists/i.test((err as Error).message)) throw err;
    await nats.jsm.streams.update(spec.name, spec);
    log.debug({ stream: spec.name }, "stream updated");
  }
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
  /** EXEC max_age: an agent offline longer than this gets nothing stale (default 7 days). */
  execMaxAgeMs?: number;
}

export async function bootstrap(nats: Nats, log: Logger, opts: BootstrapOptions = {}): Promise<void> {
  for (const spec of streamSpecs(opts)) await ensureStream(nats, spec, log);
  const kvm = new Kvm(nats.js);
  for (const bucket of Object.values(BUCKETS)) {
    // history 5 keeps a short trail of job/script changes; KV `create` binds when the bucket exists.
    await twice(() => kvm.create(bucket, { history: 5, allow_direct: true }));
    await allowDirect(nats, `KV_${bucket}`, log);
  }
  const objm = new Objm(nats.js);
  for (const store of Object.values(OBJECT_STORES)) {
    // Full outputs belong to results: they age out with RESULTS instead of piling up forever.
    const opts = store === OBJECT_STORES.resultOutput ? { ttl: nanos(RESULTS_MAX_AGE_MS) } : {};
    await twice(() => objm.create(store, opts));
  }
  log.info("JetStream resources ready");
}
