/**
 * Notifications end to end with real parts: a real nats-server, the backend, in-process agents with KLP on their
 * real per-user sockets, and KLP clients (one as another uid when running as root). Create → a PC online and a
 * PC that comes online later → clients list it → ack → the API's ack table; withdrawal and expiry.
 */
import { mkdirSync, chmodSync, chownSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AckStatus, NotificationDetail, ListResponse, NotificationSummary } from "@kanade/protocol";
import { KLP_ERRORS, KLP_PUSH, type KlpNotice } from "@kanade/protocol/klp";
import { KlpCallError, KlpClient } from "@kanade/protocol/klp-client";
import { startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";
import { clientAs, IS_ROOT, SELF_UID } from "./klp-harness.js";

const ALICE = 12345;
const ME = `uid:${SELF_UID}`;
let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
let dir: TempDir;
const clients: KlpClient[] = [];

const klpOf = (pc: string) => ({ dir: dir.join(pc, "klp"), usersDir: dir.join(pc, "users") });
const socketOf = (pc: string, uid: number): string => dir.join(pc, "klp", `${uid}.sock`);
const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

async function startPc(pc: string): Promise<void> {
  mkdirSync(dir.join(pc, "users", String(ALICE)), { recursive: true });
  chmodSync(dir.path, 0o755);
  chmodSync(dir.join(pc), 0o755);
  if (IS_ROOT) chownSync(dir.join(pc, "users", String(ALICE)), ALICE, ALICE);
  await fleet.start(pc, { klp: klpOf(pc) });
}

async function client(pc: string): Promise<KlpClient> {
  const c = await KlpClient.connect(socketOf(pc, SELF_UID), { clientVersion: "0.0.1-test" });
  clients.push(c);
  return c;
}

const listed = async (c: KlpClient): Promise<KlpNotice[]> => ((await c.call("notifications.list")) as { notifications: KlpNotice[] }).notifications;
const codeOf = (p: Promise<unknown>): Promise<number | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof KlpCallError ? e.code : -1));
const ackStatus = async (id: string): Promise<AckStatus> => (await backend.api<AckStatus>("GET", `/api/notifications/${id}/ack_status`)).body;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  dir = tempDir("kanade-notify-");
  fleet = await startTestFleet(nats.url, []);
  await startPc("note-pc-1");
});

afterAll(async () => {
  for (const c of clients) c.close();
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  dir?.remove();
});

describe("notifications end to end", () => {
  it("reaches an online PC and one that comes online later; acks show per PC and user", async () => {
    const manifest = { id: "vpn-maintenance", priority: "warning", require_ack: true, title: "VPN maintenance tonight", body: "The **VPN** is down 22:00–23:00.", expires_at: inAnHour(), target: { pcs: ["note-pc-1", "note-pc-2"] } };
    const created = await backend.api<{ id: string; subjects: string[] }>("POST", "/api/notifications", manifest);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.subjects).toEqual(["notifications.pc.note-pc-1", "notifications.pc.note-pc-2"]);
    // The same id again: notices never change.
    expect((await backend.api("POST", "/api/notifications", manifest)).status).toBe(409);

    const mine = await client("note-pc-1");
    const seen = await waitFor(async () => (await listed(mine)).find((n) => n.id === "vpn-maintenance"), { what: "the notice on note-pc-1" });
    expect(seen).toMatchObject({ priority: "warning", require_ack: true, title: "VPN maintenance tonight", body: "The **VPN** is down 22:00–23:00.", acked_at: null });

    // Another local user on the same PC, identified by the OS, sees it too (and it counts as shown for them).
    const alice = IS_ROOT ? await clientAs(ALICE, socketOf("note-pc-1", ALICE)) : undefined;
    const aliceList = async (): Promise<KlpNotice[]> => ((await alice!.call("notifications.list")).result as { notifications: KlpNotice[] }).notifications;
    if (alice) expect((await aliceList()).map((n) => n.id)).toContain("vpn-maintenance");

    // Who acknowledges is who the OS says is on the socket: a user named in the params is refused.
    expect(await codeOf(mine.call("notifications.ack", { id: "vpn-maintenance", user: `uid:${ALICE}` }))).toBe(KLP_ERRORS.INVALID_PARAMS);
    const acked = (await mine.call("notifications.ack", { id: "vpn-maintenance" })) as { acked_at: string };
    expect(acked.acked_at).toBeTruthy();
    if (alice) {
      // My acknowledgement is mine: the other user's is still open.
      expect((await aliceList()).find((n) => n.id === "vpn-maintenance")?.acked_at).toBeNull();
      await alice.close();
    }
    // A second ack is harmless and keeps the first time.
    expect(await mine.call("notifications.ack", { id: "vpn-maintenance" })).toEqual({ id: "vpn-maintenance", acked_at: acked.acked_at });
    expect((await listed(mine))[0]?.acked_at).toBe(acked.acked_at);

    const status = await waitFor(async () => {
      const s = await ackStatus("vpn-maintenance");
      return s.rows.some((r) => r.state === "acknowledged") && (!IS_ROOT || s.rows.some((r) => r.user === `uid:${ALICE}`)) ? s : undefined;
    }, { what: "the ack in ack_status" });
    expect(status.rows).toContainEqual({ pc_id: "note-pc-1", user: ME, state: "acknowledged", shown_at: expect.any(String), acked_at: acked.acked_at });
    if (IS_ROOT) expect(status.rows).toContainEqual(expect.objectContaining({ pc_id: "note-pc-1", user: `uid:${ALICE}`, state: "shown", acked_at: null }));
    // note-pc-2 has never been online: pending, nobody there yet.
    expect(status.rows).toContainEqual({ pc_id: "note-pc-2", user: null, state: "pending", shown_at: null, acked_at: null });
    expect(status.counts.acknowledged).toBe(1);
    expect((await backend.api<ListResponse<NotificationSummary>>("GET", "/api/notifications")).body.items[0]).toMatchObject({ id: "vpn-maintenance", state: "active", acknowledged: 1 });

    // note-pc-2 comes online after the notice was published: it gets it from the stream.
    await startPc("note-pc-2");
    const other = await client("note-pc-2");
    await waitFor(async () => (await listed(other)).some((n) => n.id === "vpn-maintenance"), { what: "the notice on the late PC" });
    await waitFor(async () => (await ackStatus("vpn-maintenance")).rows.find((r) => r.pc_id === "note-pc-2")?.state === "shown", { what: "note-pc-2 shown" });
  });

  it("withdrawal reaches subscribed clients; a withdrawn notice is neither listed nor acknowledgeable", async () => {
    const mine = await client("note-pc-1");
    const news: KlpNotice[] = [];
    const gone: unknown[] = [];
    mine.on(KLP_PUSH.notificationsNew, (p) => news.push(p as KlpNotice));
    mine.on(KLP_PUSH.notificationsGone, (p) => gone.push(p));
    await mine.call("notifications.subscribe");
    const body = { id: "printer-move", priority: "info", title: "Printers move", body: "3rd floor.", expires_at: inAnHour(), target: { all: true } };
    expect((await backend.api("POST", "/api/notifications", body)).status).toBe(201);
    await waitFor(() => news.some((n) => n.id === "printer-move"), { what: "notifications.new push" });
    const w = await backend.api<{ already: boolean }>("POST", "/api/notifications/printer-move/withdraw");
    expect(w.status).toBe(200);
    expect(w.body.already).toBe(false);
    await waitFor(() => gone.some((g) => (g as { id: string }).id === "printer-move"), { what: "notifications.withdrawn push" });
    expect(gone).toContainEqual({ id: "printer-move", reason: "withdrawn" });
    expect((await listed(mine)).map((n) => n.id)).not.toContain("printer-move");
    expect(await codeOf(mine.call("notifications.ack", { id: "printer-move" }))).toBe(KLP_ERRORS.NOT_FOUND);
    expect((await backend.api<NotificationDetail>("GET", "/api/notifications/printer-move")).body).toMatchObject({ state: "withdrawn", withdrawn_by: expect.any(String) });
    expect((await backend.api<{ already: boolean }>("POST", "/api/notifications/printer-move/withdraw")).body.already).toBe(true);
  });

  it("an expired notice is no longer shown, and its unacknowledged rows say expired", async () => {
    const mine = await client("note-pc-1");
    const expires = new Date(Date.now() + 4_000).toISOString();
    const body = { id: "short-lived", priority: "emergency", require_ack: true, title: "Short", body: "Soon gone.", expires_at: expires, target: { pcs: ["note-pc-1"] } };
    expect((await backend.api("POST", "/api/notifications", body)).status).toBe(201);
    await waitFor(async () => (await listed(mine)).some((n) => n.id === "short-lived"), { what: "the short-lived notice" });
    await waitFor(async () => !(await listed(mine)).some((n) => n.id === "short-lived"), { what: "the notice to expire", timeoutMs: 15_000, intervalMs: 1_000 });
    expect(await codeOf(mine.call("notifications.ack", { id: "short-lived" }))).toBe(KLP_ERRORS.NOT_FOUND);
    const s = await ackStatus("short-lived");
    expect(s.state).toBe("expired");
    expect(s.rows.find((r) => r.pc_id === "note-pc-1" && r.user === ME)?.state).toBe("expired");
    // A notice that is already past its expiry is refused, naming the field.
    const late = await backend.api<{ error: { code: string; details: { path: string }[] } }>("POST", "/api/notifications", { ...body, id: "too-late", expires_at: "2020-01-01T00:00:00Z" });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe("INVALID_NOTIFICATION");
    expect(late.body.error.details[0]?.path).toBe("expires_at");
  });

  it("an ack made while the broker is down reaches the backend when it is back, and the PC remembers it across a restart", async () => {
    const body = { id: "offline-ack", priority: "info", require_ack: true, title: "Offline", body: "-", expires_at: inAnHour(), target: { pcs: ["note-pc-1"] } };
    expect((await backend.api("POST", "/api/notifications", body)).status).toBe(201);
    const mine = await client("note-pc-1");
    await waitFor(async () => (await listed(mine)).some((n) => n.id === "offline-ack"), { what: "the notice", intervalMs: 1_100 });
    await nats.stop();
    try {
      // The agent answers on its own: the ack is kept in its outbox until the broker takes it.
      const r = (await mine.call("notifications.ack", { id: "offline-ack" })) as { acked_at: string };
      expect(r.acked_at).toBeTruthy();
    } finally {
      await nats.start();
    }
    await waitFor(async () => (await ackStatus("offline-ack")).rows.some((r) => r.user === ME && r.state === "acknowledged"), { what: "the ack after the broker came back", timeoutMs: 60_000, intervalMs: 500 });
    await fleet.stop("note-pc-1");
    await startPc("note-pc-1");
    const again = await client("note-pc-1");
    const n = (await listed(again)).find((x) => x.id === "offline-ack");
    expect(n?.acked_at).toBeTruthy();
  });

  it("a PC that joins a group later gets the group's notices that have not expired", async () => {
    const body = { id: "lab-rules", priority: "info", title: "Lab rules", body: "-", expires_at: inAnHour(), target: { groups: ["late-lab"] } };
    expect((await backend.api("POST", "/api/notifications", body)).status).toBe(201);
    const mine = await client("note-pc-2");
    expect((await listed(mine)).map((n) => n.id)).not.toContain("lab-rules");
    expect((await backend.api("PUT", "/api/agents/note-pc-2/groups", { groups: ["late-lab"] })).status).toBe(200);
    await waitFor(async () => (await listed(mine)).some((n) => n.id === "lab-rules"), { what: "the group's notice after joining", intervalMs: 1_100 });
    // Its table now lists the member PC.
    expect((await ackStatus("lab-rules")).rows.map((r) => r.pc_id)).toEqual(["note-pc-2"]);
  });
});
