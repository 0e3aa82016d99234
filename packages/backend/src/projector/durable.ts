/** Runs a durable pull consumer and hands its messages to a handler in batches (one DB transaction each). */
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { Logger } from "pino";
import type { Nats } from "../nats.js";

/** Large enough to absorb a fleet-wide burst (5,000 results) in a handful of transactions. */
export const BATCH_MAX = 500;

const ACK_WAIT_NS = 10_000_000_000;
/** A pull the broker lost (its node died) is noticed by missing heartbeats, half of this, and made again. */
const PULL_EXPIRES_MS = 5_000;

export interface DurableProjectorSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  /** Processes a batch; returns nothing. Messages it cannot parse must be handled (term) by the caller's parse step. */
  handle(batch: readonly JsMsg[]): Promise<void>;
  /** Most messages per batch (one transaction); default BATCH_MAX. Twice this many are pulled ahead. */
  batchMax?: number;
  /**
   * How many batches may be in `handle` at once; default 1. Two let a handler that awaits its database (a
   * background transaction) decode the next batch meanwhile; the database still commits them in order.
   */
  inFlight?: number;
}

export interface RunningProjector {
  stop(): Promise<void>;
}

/** Creates the durable consumer, or updates it when its config changed (one filter_subject for nats-server 2.9). */
export async function ensureConsumer(nats: Nats, spec: Pick<DurableProjectorSpec, "stream" | "durable" | "filterSubject">): Promise<void> {
  const cfg = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    max_ack_pending: 20_000,
    // What a dying broker node took with it (delivered, never acked) comes again after this long: it bounds how
    // long results wait after a cluster node dies. A batch is stored well within it; a redelivery is harmless.
    ack_wait: ACK_WAIT_NS,
  };
  try {
    await nats.jsm.consumers.add(spec.stream, cfg);
  } catch (err) {
    if (!/already exists|already in use/i.test((err as Error).message)) throw err;
    const { durable_name: _name, deliver_policy: _dp, ...update } = cfg;
    await nats.jsm.consumers.update(spec.stream, spec.durable, update);
  }
}

/** Starts the consume loop; it survives broker restarts and handler errors (failed batches are redelivered). */
export async function startDurableProjector(nats: Nats, spec: DurableProjectorSpec, log: Logger): Promise<RunningProjector> {
  const plog = log.child({ projector: spec.durable });
  await ensureConsumer(nats, spec);
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const batchMax = spec.batchMax ?? BATCH_MAX;
  const inFlight = Math.max(1, spec.inFlight ?? 1);

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        const consumer = await nats.js.consumers.get(spec.stream, spec.durable);
        // Messages arrive in bursts (one socket read holds many). A callback takes each without an await;
        // the burst is handed over on the next turn of the event loop, and whatever arrives while batches are
        // being stored forms the next one: the slower the store, the bigger the batches.
        const pending: JsMsg[] = [];
        let scheduled: NodeJS.Immediate | undefined;
        const active = new Set<Promise<void>>();
        const startDrain = (): void => {
          scheduled = undefined;
          while (active.size < inFlight && pending.length > 0) {
            const storing: Promise<void> = flush(pending.splice(0, batchMax)).finally(() => {
              active.delete(storing);
              startDrain();
            });
            active.add(storing);
          }
        };
        // A deleted stream or consumer ends the consumption, which recreates the consumer below (nobody else would).
        messages = await consumer.consume({
          max_messages: batchMax * 2,
          expires: PULL_EXPIRES_MS,
          abort_on_missing_resource: true,
          callback: (m) => {
            pending.push(m);
            if (active.size < inFlight) scheduled ??= setImmediate(startDrain);
          },
        });
        const ended = await messages.closed();
        // Store what was taken before the end (unacked, it would only come again).
        if (scheduled) {
          clearImmediate(scheduled);
          startDrain();
        }
        while (active.size > 0) await Promise.all(active);
        if (ended instanceof Error && !stopped) throw ended;
      } catch (err) {
        if (stopped) break;
        plog.warn({ err }, "consumer loop failed; retrying");
        // The consumer may have been removed (e.g. stream recreated): recreate it before retrying.
        await new Promise((r) => setTimeout(r, 1_000));
        await ensureConsumer(nats, spec).catch((e: unknown) => plog.warn({ err: e }, "cannot recreate consumer"));
      }
    }
  };

  const flush = async (batch: JsMsg[]): Promise<void> => {
    try {
      await spec.handle(batch);
      for (const m of batch) m.ack();
    } catch (err) {
      plog.error({ err, count: batch.length }, "batch failed; will be redelivered");
      for (const m of batch) m.nak(5_000);
    }
  };

  const done = loop();
  return {
    stop: async () => {
      stopped = true;
      await messages?.close();
      await done;
    },
  };
}

/** Parses a message as JSON and validates it; invalid messages are terminated so they never block the stream. */
export function decodeOrTerm<T>(
  m: JsMsg,
  parse: (v: unknown) => { success: true; data: T } | { success: false; error: { message: string } },
  log: Logger,
): T | undefined {
  let value: unknown;
  try {
    value = m.json<unknown>();
  } catch (err) {
    log.warn({ subject: m.subject, seq: m.seq, err }, "dropping message that is not JSON");
    m.term();
    return undefined;
  }
  const r = parse(value);
  if (!r.success) {
    log.warn({ subject: m.subject, seq: m.seq, problem: r.error.message }, "dropping invalid message");
    m.term();
    return undefined;
  }
  return r.data;
}
