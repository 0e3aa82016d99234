/**
 * Notifications on a locked-down broker: an agent holding only its own credential reads the notices for
 * itself and its groups from NOTIFICATIONS and publishes its users' acks, with no permission violation; another
 * agent cannot publish an ack under a different pc_id, and the backend never sees one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { AckStatus } from "@kanade/protocol";
import { subjects } from "@kanade/protocol/wire";
import type { KlpNotice } from "@kanade/protocol/klp";
import { KlpClient } from "@kanade/protocol/klp-client";
import { startLockedNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type LockedNats, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";
import { SELF_UID } from "./klp-harness.js";

const PC = "lock-note-1";
const ROGUE = "lock-note-2";
let broker: LockedNats;
let backend: TestBackend;
let fleet: TestFleet;
let dir: TempDir;
let klp: KlpClient | undefined;
let rogue: NatsConnection | undefined;

beforeAll(async () => {
  broker = await startLockedNatsServer();
  backend = await startTestBackend(broker.url, { natsAuthDir: broker.authDir });
  expect((await backend.api("PUT", `/api/agents/${PC}/groups`, { groups: ["lab"] })).status).toBe(200);
  dir = tempDir("kanade-notify-locked-");
  fleet = await startTestFleet(broker.url, []);
  const c = broker.agent(PC);
  await fleet.start(PC, { credential: { jwt: c.jwt, seed: c.seed }, klp: { dir: dir.join("klp"), usersDir: dir.join("users") } });
});

afterAll(async () => {
  if (process.env.DEBUG_LOCK) console.log(broker.server.output().split("\n").filter((l) => /Violation|ERR|WRN/.test(l)).join("\n"));
  klp?.close();
  await rogue?.close();
  await fleet?.close();
  await backend?.close();
  await broker?.dispose();
  dir?.remove();
});

describe("notifications on a locked-down broker", () => {
  it("the agent reads its group's and its own notices and acks under its own pc_id; another agent cannot ack for it", async () => {
    const expires_at = new Date(Date.now() + 3_600_000).toISOString();
    for (const [id, target] of [["lab-notice", { groups: ["lab"] }], ["own-notice", { pcs: [PC] }], ["fleet-notice", { all: true }]] as const) {
      const r = await backend.api("POST", "/api/notifications", { id, priority: "info", title: id, body: "-", expires_at, target });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    klp = await KlpClient.connect(dir.join("klp", `${SELF_UID}.sock`), { clientVersion: "0.0.1-test" });
    const ids = await waitFor(async () => {
      const got = ((await klp!.call("notifications.list")) as { notifications: KlpNotice[] }).notifications.map((n) => n.id).sort();
      return got.length === 3 ? got : undefined;
    }, { what: "three notices through the locked broker", intervalMs: 1_100 });
    expect(ids).toEqual(["fleet-notice", "lab-notice", "own-notice"]);
    await klp.call("notifications.ack", { id: "lab-notice" });
    await waitFor(async () => (await backend.api<AckStatus>("GET", "/api/notifications/lab-notice/ack_status")).body.rows.some((r) => r.state === "acknowledged"), { what: "the ack projected" });
    expect(broker.server.output()).not.toMatch(/Violation/);

    // Another enrolled agent tries to acknowledge in lock-note-1's name: the broker refuses the publish.
    const cred = broker.agent(ROGUE);
    rogue = await connect({ servers: broker.url, ...cred.connectOptions });
    const errors: string[] = [];
    void (async () => {
      for await (const s of rogue!.status()) if (s.type === "error") errors.push(String(s.error));
    })();
    const forged = subjects.notificationAcked(PC, "uid:4242", "own-notice");
    rogue.publish(forged, JSON.stringify({ kind: "acked", notif_id: "own-notice", pc_id: PC, user: "uid:4242", at: new Date().toISOString() }));
    await rogue.flush();
    await waitFor(() => errors.some((e) => e.includes(`Permissions Violation for Publish to "${forged}"`)), { what: "the broker's refusal" });
    // Nor may it read another PC's notices.
    const stolen = rogue.subscribe(subjects.notificationsPc(PC));
    await expect((async () => {
      for await (const m of stolen) return m.subject;
      return "closed";
    })()).rejects.toThrow(/Permissions Violation/);
    const rows = (await backend.api<AckStatus>("GET", "/api/notifications/own-notice/ack_status")).body.rows;
    expect(rows.some((r) => r.user === "uid:4242")).toBe(false);
  });
});
