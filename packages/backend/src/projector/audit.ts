/** AUDIT → `audit_log`. Idempotent on the event id, so replaying the stream yields the same rows. */
import { STREAMS, auditEventSchema, subjects } from "@kanade/protocol";
import type { Logger } from "pino";
import type { AuditLogStore, ProjectedAuditRecord } from "../audit/log-store.js";
import type { Nats } from "../nats.js";
import { decodeOrTerm, startDurableProjector, type RunningProjector } from "./durable.js";

export const AUDIT_DURABLE = "kanade-audit";

export function startAuditProjector(deps: { nats: Nats; store: AuditLogStore; log: Logger }): Promise<RunningProjector> {
  const log = deps.log.child({ projector: AUDIT_DURABLE });
  return startDurableProjector(
    deps.nats,
    {
      stream: STREAMS.AUDIT,
      durable: AUDIT_DURABLE,
      filterSubject: subjects.auditAll(),
      handle: async (batch) => {
        const events: ProjectedAuditRecord[] = [];
        for (const m of batch) {
          const e = decodeOrTerm(m, (v) => auditEventSchema.safeParse(v), log);
          if (e) events.push({ ...e, stream_seq: m.seq });
        }
        const inserted = await deps.store.insertAudit(events);
        log.debug({ received: batch.length, inserted }, "audit events projected");
      },
    },
    deps.log,
  );
}
