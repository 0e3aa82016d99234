/**
 * EVENTS (`events.pc.>`) → `events` table. A message that is not JSON, does not validate, names another PC
 * than its subject, or claims a kind only the backend records is dropped (terminated) and logged; the rest
 * of its batch is stored, and the projector carries on.
 */
import { agentEventSchema, STREAMS, subjects, type TimelineEvent } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Nats } from "../nats.js";
import { decodeOrTerm, startDurableProjector, type RunningProjector } from "../projector/durable.js";
import type { EventsStore } from "./store.js";

export const EVENTS_DURABLE = "kanade-events";

export function startEventsProjector(deps: { nats: Nats; store: Pick<EventsStore, "insertEvents">; log: Logger; clock: () => Date }): Promise<RunningProjector> {
  const log = deps.log.child({ projector: EVENTS_DURABLE });
  return startDurableProjector(
    deps.nats,
    {
      stream: STREAMS.EVENTS,
      durable: EVENTS_DURABLE,
      filterSubject: subjects.pcEventsAll(),
      handle: async (batch) => {
        const events: TimelineEvent[] = [];
        const receivedAt = deps.clock().toISOString();
        for (const m of batch) {
          const e = decodeOrTerm(m, (v) => agentEventSchema.safeParse(v), log);
          if (!e) continue;
          // The broker lets an agent publish only under its own pc_id; the body must say the same.
          if (m.subject !== subjects.pcEvent(e.pc_id, e.kind)) {
            log.warn({ subject: m.subject, seq: m.seq, pc_id: e.pc_id, kind: e.kind }, "dropping event whose pc_id or kind does not match its subject");
            m.term();
            continue;
          }
          events.push({ ...e, received_at: receivedAt });
        }
        await deps.store.insertEvents(events);
      },
    },
    deps.log,
  );
}
