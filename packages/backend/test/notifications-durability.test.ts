/**
 * A backend stopped between storing a notification (or its withdrawal) and publishing it publishes it when it
 * starts again: the row is the promise, the NOTIFICATIONS stream the delivery. And a database rebuilt from the
 * streams gets notifications (NOTIFICATIONS) and receipts (EVENTS) back. Real broker, real SQLite files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { STREAMS, subjects, type AckStatus, type NotificationDetail, type NotificationMessage } from "@kanade/protocol";
import { startNatsServer, startTestBackend, tempDatabase, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";
import { openDatabase } from "../src/index.js";

let nats: NatsServer;
let nc: NatsConnection;
let backend: TestBackend | undefined;
const db = tempDatabase();

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await backend?.close();
  await nc?.close();
  await nats?.dispose();
  db.remove();
});

const lastOn = async (subject: string): Promise<NotificationMessage | undefined> => {
  const m = await (await jetstreamManager(nc)).streams.getMessage(STREAMS.NOTIFICATIONS, { last_by_subj: subject });
  return m?.json<NotificationMessage>();
};

describe("notifications left unpublished by a stop", () => {
  it("are published at the next start, notice and withdrawal alike", async () => {
    backend = await startTestBackend(nats.url, { dbPath: db.target, ...(db.stateDir ? { stateDir: db.stateDir } : {}) });
    const expires_at = new Date(Date.now() + 3_600_000).toISOString();
    const sent = await backend.api("POST", "/api/notifications", { id: "sent", priority: "info", title: "t", body: "b", expires_at, target: { pcs: ["rp-pc-1"] } });
    expect(sent.status).toBe(201);
    await backend.close();
    backend = undefined;

    // What a stop between the database step and the publish leaves: a stored notice never published, and a
    // withdrawal recorded but not sent.
    const sql = openDatabase(db.target);
    sql.prepare(
      `INSERT INTO notifications (id, priority, require_ack, title, body, expires_at, target, yaml, created_at, created_by)
       VALUES ('stranded', 'warning', 1, 'Stranded', 'b', ?, '{"groups":["rp-lab"]}', 'id: stranded', ?, 'otto')`,
    ).run(expires_at, new Date().toISOString());
    sql.prepare("UPDATE notifications SET withdrawn_at = ?, withdrawn_by = 'otto' WHERE id = 'sent'").run(new Date().toISOString());
    sql.close();
    expect((await lastOn(subjects.notificationsPc("rp-pc-1")))?.kind).toBe("notice");
    expect(await lastOn(subjects.notificationsGroup("rp-lab"))).toBeUndefined();

    backend = await startTestBackend(nats.url, { dbPath: db.target, ...(db.stateDir ? { stateDir: db.stateDir } : {}) });
    expect(await lastOn(subjects.notificationsGroup("rp-lab"))).toMatchObject({ kind: "notice", id: "stranded", require_ack: true, created_by: "otto" });
    expect(await lastOn(subjects.notificationsPc("rp-pc-1"))).toMatchObject({ kind: "withdrawn", id: "sent", withdrawn_by: "otto" });
    const info = await (await jetstreamManager(nc)).streams.info(STREAMS.NOTIFICATIONS);
    expect(info.state.messages).toBe(3);
    expect((await backend.api<NotificationDetail>("GET", "/api/notifications/stranded")).body).toMatchObject({ state: "active", target: { groups: ["rp-lab"] } });

    // Nothing is left to publish: a third start sends nothing again.
    await backend.close();
    backend = await startTestBackend(nats.url, { dbPath: db.target, ...(db.stateDir ? { stateDir: db.stateDir } : {}) });
    expect((await (await jetstreamManager(nc)).streams.info(STREAMS.NOTIFICATIONS)).state.messages).toBe(3);
  });

  it("come back, with their withdrawals and receipts, when the database is rebuilt from the streams", async () => {
    await backend?.close();
    backend = await startTestBackend(nats.url, { dbPath: db.target, ...(db.stateDir ? { stateDir: db.stateDir } : {}) });
    const expires_at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await backend.api("POST", "/api/notifications", { id: "kept", priority: "emergency", require_ack: true, title: "Kept", body: "**b**", expires_at, target: { pcs: ["rb-pc"] } })).status).toBe(201);
    const at = new Date().toISOString();
    await jetstream(nc).publish(subjects.notificationAcked("rb-pc", "uid:1000", "kept"), JSON.stringify({ kind: "acked", notif_id: "kept", pc_id: "rb-pc", user: "uid:1000", at }));
    await waitFor(async () => (await backend!.api<AckStatus>("GET", "/api/notifications/kept/ack_status")).body.counts.acknowledged === 1, { what: "the ack projected" });
    await backend.close();

    const empty = tempDatabase();
    try {
      backend = await startTestBackend(nats.url, { dbPath: empty.target, rebuild: true, ...(empty.stateDir ? { stateDir: empty.stateDir } : {}) });
      expect((await backend.api<NotificationDetail>("GET", "/api/notifications/kept")).body).toMatchObject({ priority: "emergency", require_ack: true, body: "**b**", state: "active" });
      expect((await backend.api<NotificationDetail>("GET", "/api/notifications/sent")).body).toMatchObject({ state: "withdrawn", withdrawn_by: "otto" });
      const s = await waitFor(async () => {
        const r = (await backend!.api<AckStatus>("GET", "/api/notifications/kept/ack_status")).body;
        return r.counts.acknowledged === 1 ? r : undefined;
      }, { what: "the receipt replayed" });
      expect(s.rows).toEqual([{ pc_id: "rb-pc", user: "uid:1000", state: "acknowledged", shown_at: at, acked_at: at }]);
    } finally {
      await backend?.close();
      backend = undefined;
      empty.remove();
    }
  });
});
