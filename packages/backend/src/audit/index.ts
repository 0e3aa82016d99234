/**
 * The audit trail's write side. Every mutation leaves a record: written to the database outbox in the same
 * transaction as a database change, or around a change kept elsewhere (KV, object store) — before it, made
 * final after it, dropped if it failed. The relay publishes records to AUDIT; a record that cannot be made
 * durable fails the request, so nothing changes unaudited.
 */
import type { AuditRecord } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Caller } from "../caller.js";
import type { Nats } from "../nats.js";
import type { AuditOutboxStore } from "./outbox-store.js";
import { auditRecord, type AuditEntry } from "./record.js";
import { startAuditRelay, type AuditRelay } from "./relay.js";

export type { AuditEntry } from "./record.js";

export interface Audit {
  /** Records something that already happened and changed nothing else (a login, a refused attempt). */
  record(caller: Caller, entry: AuditEntry): Promise<void>;
  /**
   * Runs `change` with its record already durable. `final` may adjust action and payload from the result
   * (e.g. `job.create` vs `job.replace`). If `change` throws, the record is dropped and the error rethrown.
   */
  around<T>(caller: Caller, entry: AuditEntry, change: () => Promise<T>, final?: (result: T) => Partial<AuditEntry>): Promise<T>;
  /** Builds a record for a store that writes it in its own transaction; call `committed()` after. */
  build(caller: Caller, entry: AuditEntry): AuditRecord;
  committed(): void;
  /** Records still waiting for the broker. */
  pending(): Promise<number>;
  /** Resolves once every record reached AUDIT (tests, shutdown). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export const INTERRUPTED_OUTCOME = "unknown: the backend stopped during this change";

export async function startAudit(deps: { nats: Nats; outbox: AuditOutboxStore; log: Logger; clock: () => Date; replicas?: number }): Promise<Audit> {
  const settled = await deps.outbox.settleInterrupted(INTERRUPTED_OUTCOME);
  if (settled > 0) deps.log.warn({ records: settled }, "audit records of changes interrupted by a stop were kept, outcome unknown");
  const relay: AuditRelay = startAuditRelay(deps);
  const build = (caller: Caller, entry: AuditEntry): AuditRecord => auditRecord(caller, entry, deps.clock());
  return {
    record: async (caller, entry) => {
      await deps.outbox.add(build(caller, entry), true);
      relay.kick();
    },
    around: async (caller, entry, change, final) => {
      const rec = build(caller, entry);
      await deps.outbox.add(rec, false);
      let result: Awaited<ReturnType<typeof change>>;
      try {
        result = await change();
      } catch (err) {
        await deps.outbox.remove(rec.id);
        throw err;
      }
      const f = final?.(result) ?? {};
      await deps.outbox.ready(rec.id, { action: f.action ?? rec.action, payload_summary: f.payload ?? rec.payload_summary });
      relay.kick();
      return result;
    },
    build,
    committed: () => relay.kick(),
    pending: () => deps.outbox.count(),
    drained: () => relay.drained(),
    stop: () => relay.stop(),
  };
}
