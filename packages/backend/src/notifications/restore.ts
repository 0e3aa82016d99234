/**
 * A rebuild from the streams (`--rebuild`) brings notifications back from NOTIFICATIONS: every notice still kept
 * (90 days) with its withdrawal, if any. The YAML as submitted is not in the stream: it is regenerated from the
 * notice. Receipts come back through their projector replaying EVENTS (7 days).
 */
import { notificationMessageSchema, STREAMS } from "@kanade/protocol";
import type { Logger } from "pino";
import YAML from "yaml";
import type { Nats } from "../nats.js";
import type { NotificationStore } from "./store.js";

export async function restoreNotifications(nats: Nats, store: NotificationStore, log: Logger): Promise<number> {
  const total = (await nats.jsm.streams.info(STREAMS.NOTIFICATIONS)).state.messages;
  if (total === 0) return 0;
  const consumer = await nats.js.consumers.get(STREAMS.NOTIFICATIONS);
  let restored = 0;
  try {
    for (let more = true; more; ) {
      more = false;
      for await (const m of await consumer.fetch({ max_messages: 500, expires: 2_000 })) {
        const r = notificationMessageSchema.safeParse(m.json<unknown>());
        if (!r.success) log.warn({ seq: m.seq }, "NOTIFICATIONS holds a message that does not match the contract; skipped");
        else if (r.data.kind === "notice") {
          const { kind: _kind, ...n } = r.data;
          const { created_at: _at, created_by: _by, ...manifest } = n;
          if (store.insert({ ...n, yaml: YAML.stringify(manifest), published_at: n.created_at, withdrawn_at: null, withdrawn_by: null, withdrawal_published_at: null })) restored++;
        } else {
          const row = store.get(r.data.id);
          if (row && !row.withdrawn_at) {
            store.setWithdrawn(row.id, r.data.withdrawn_at, r.data.withdrawn_by);
            store.markWithdrawalPublished(row.id, r.data.withdrawn_at);
          }
        }
        if (m.info.pending === 0) break;
        more = true;
      }
    }
  } finally {
    await consumer.delete().catch((err: unknown) => log.debug({ err }, "could not delete the restore consumer; it expires on its own"));
  }
  log.info({ restored, messages: total }, "notifications restored from NOTIFICATIONS");
  return restored;
}
