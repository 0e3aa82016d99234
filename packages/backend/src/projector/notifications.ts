/** EVENTS (`events.notifications.>`) → `notification_receipts`: who on which PC saw and acknowledged which notice. */
import { STREAMS, notificationEventSchema, parseNotificationEventSubject, subjects, type NotificationEvent } from "@kanade/protocol";
import type { Logger } from "pino";
import type { NotificationStore } from "../notifications/index.js";
import type { Nats } from "../nats.js";
import { decodeOrTerm, startDurableProjector, type RunningProjector } from "./durable.js";

export const NOTIFICATIONS_DURABLE = "kanade-notifications";

export function startNotificationProjector(deps: { nats: Nats; store: Pick<NotificationStore, "project">; log: Logger }): Promise<RunningProjector> {
  const log = deps.log.child({ projector: NOTIFICATIONS_DURABLE });
  return startDurableProjector(
    deps.nats,
    {
      stream: STREAMS.EVENTS,
      durable: NOTIFICATIONS_DURABLE,
      filterSubject: subjects.notificationEventsAll(),
      handle: async (batch) => {
        const events: NotificationEvent[] = [];
        for (const m of batch) {
          const e = decodeOrTerm(m, (v) => notificationEventSchema.safeParse(v), log);
          if (!e) continue;
          // The subject is what the broker checked (each agent publishes only under its own pc_id); the body must agree.
          const s = parseNotificationEventSubject(m.subject);
          if (!s || s.pcId !== e.pc_id || s.user !== e.user || s.notifId !== e.notif_id || s.kind !== e.kind) {
            log.warn({ subject: m.subject, pc_id: e.pc_id }, "notification event whose body does not match its subject; dropped");
            continue;
          }
          events.push(e);
        }
        deps.store.project(events);
      },
    },
    deps.log,
  );
}
