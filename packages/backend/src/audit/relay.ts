/**
 * Publishes the audit outbox to AUDIT in order (msgID = record id, so a resend after a lost ack is
 * harmless) and deletes each row once JetStream acknowledged it. When AUDIT is missing — deleted by
 * someone — it is created again from its spec; until the broker takes the records they wait in the outbox.
 */
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { NoRespondersError } from "@nats-io/transport-node";
import { STREAMS, subjects } from "@kanade/protocol";
import type { Logger } from "pino";
import { ensureStream, streamSpecs } from "../bootstrap.js";
import type { Nats } from "../nats.js";
import type { AuditOutboxStore } from "./outbox-store.js";

const PUBLISH_TIMEOUT_MS = 2_000;
const BATCH = 200;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface AuditRelay {
  /** Something was added: publish soon. */
  kick(): void;
  /** Resolves once the outbox is empty (or the relay stopped). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/** A publish that no stream captured (nats.js says "jetstream is not enabled", caused by no responders): AUDIT is gone. */
function streamMissing(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof NoRespondersError || (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound)) return true;
  }
  return false;
}

/** `replicas`: of AUDIT when it has to be made again (KANADE_NATS_REPLICAS; default 1). */
export function startAuditRelay(deps: { nats: Nats; outbox: AuditOutboxStore; log: Logger; replicas?: number }): AuditRelay {
  const log = deps.log.child({ component: "audit-relay" });
  let stopped = false;
  let wake: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];
  let retryMs = RETRY_MIN_MS;
  let failing = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const publishSome = async (): Promise<boolean> => {
    const batch = await deps.outbox.nextReady(BATCH);
    for (const e of batch) {
      await deps.nats.js.publish(subjects.audit(e.action), JSON.stringify(e), { msgID: e.id, timeout: PUBLISH_TIMEOUT_MS });
      await deps.outbox.remove(e.id);
    }
    return batch.length > 0;
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        if (await publishSome()) continue;
        if (failing) log.info("audit records are flowing to AUDIT again");
        failing = false;
        retryMs = RETRY_MIN_MS;
        for (const w of idleWaiters) w();
        idleWaiters = [];
        await sleep(60_000);
      } catch (err) {
        if (stopped) break;
        const pending = await deps.outbox.count().catch(() => -1);
        if (!failing) log.error({ err, pending }, "cannot publish audit records; they wait in the database outbox");
        failing = true;
        if (streamMissing(err) && deps.nats.isConnected()) {
          const spec = streamSpecs(deps.replicas !== undefined ? { replicas: deps.replicas } : {}).find((s) => s.name === STREAMS.AUDIT);
          if (spec) {
            await ensureStream(deps.nats, spec, log)
              .then(() => log.warn("the AUDIT stream was missing and has been created again"))
              .catch((e: unknown) => log.error({ err: e }, "cannot create the AUDIT stream"));
          }
        }
        await sleep(retryMs);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      }
    }
    for (const w of idleWaiters) w();
  };
  const done = loop();

  return {
    kick: () => wake?.(),
    drained: async () => {
      if (stopped || (await deps.outbox.count()) === 0) return;
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake?.();
      });
    },
    stop: async () => {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
