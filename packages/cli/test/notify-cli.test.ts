/**
 * `kanade notify`: create from YAML (bad fields named, exit 2, nothing sent), list, show, ack-status and withdraw,
 * through the real CLI and backend; receipts are published on the agents' event subjects (as an agent's outbox
 * does, twice, as a re-send after a lost PubAck would) and projected once.
 */
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { subjects, type AckStatus } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";

let nats: NatsServer;
let backend: TestBackend;
let nc: NatsConnection;
let dir: TempDir;
const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  nc = await connect({ servers: nats.url });
  dir = tempDir("kanade-notify-cli-");
});

afterAll(async () => {
  await nc?.close();
  await backend?.close();
  await nats?.dispose();
  dir?.remove();
});

const yaml = (id: string, extra = ""): string => `id: ${id}
priority: emergency
require_ack: true
title: Fire drill at 15:00
body: |
  Leave by the **east** stairs.
expires_at: ${new Date(Date.now() + 3_600_000).toISOString()}
target:
  pcs: [cli-pc-1, cli-pc-2]
${extra}`;

describe("kanade notify", () => {
  it("refuses a bad manifest naming each field, and sends nothing", async () => {
    const file = dir.join("bad.yaml");
    writeFileSync(file, yaml("drill-bad").replace("priority: emergency", "priority: loud").replace("require_ack: true", "require_ack: 3"));
    const r = await kanade("notify", "create", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("priority: expected one of info, warning, emergency");
    expect(r.stderr).toContain("require_ack: expected true or false");
    expect((await kanade("notify", "show", "drill-bad")).code).toBe(1);
  });

  it("creates, lists, shows, reports acks per PC and user, and withdraws", async () => {
    const file = dir.join("drill.yaml");
    writeFileSync(file, yaml("drill"));
    const created = await kanade("notify", "create", file);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("published drill to notifications.pc.cli-pc-1, notifications.pc.cli-pc-2");
    // The stream holds one notice per PC subject.
    const js = jetstream(nc);
    const stored = await (await js.jetstreamManager()).streams.getMessage("NOTIFICATIONS", { last_by_subj: "notifications.pc.cli-pc-2" });
    expect(stored?.json<{ kind: string; id: string }>()).toMatchObject({ kind: "notice", id: "drill" });

    const at = new Date().toISOString();
    const ack = { kind: "acked", notif_id: "drill", pc_id: "cli-pc-1", user: "uid:1000", at };
    for (let i = 0; i < 2; i++) await js.publish(subjects.notificationAcked("cli-pc-1", "uid:1000", "drill"), JSON.stringify(ack));
    await js.publish(subjects.notificationShown("cli-pc-1", "uid:1001", "drill"), JSON.stringify({ ...ack, kind: "shown", user: "uid:1001" }));
    // A body that disagrees with its subject (pc_id) is not believed.
    await js.publish(subjects.notificationAcked("cli-pc-2", "uid:1000", "drill"), JSON.stringify(ack));
    await waitFor(async () => (await backend.api<AckStatus>("GET", "/api/notifications/drill/ack_status")).body.counts.shown === 1, { what: "receipts projected" });

    const status = await kanade("notify", "ack-status", "drill", "--json");
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout) as AckStatus;
    expect(s.counts).toEqual({ acknowledged: 1, shown: 1, pending: 1, expired: 0 });
    expect(s.rows).toEqual([
      { pc_id: "cli-pc-1", user: "uid:1000", state: "acknowledged", shown_at: at, acked_at: at },
      { pc_id: "cli-pc-1", user: "uid:1001", state: "shown", shown_at: at, acked_at: null },
      { pc_id: "cli-pc-2", user: null, state: "pending", shown_at: null, acked_at: null },
    ]);
    const table = await kanade("notify", "ack-status", "drill");
    expect(table.stdout).toMatch(/cli-pc-1\s+uid:1000\s+acknowledged/);

    const list = await kanade("notify", "list");
    expect(list.stdout).toMatch(/drill\s+emergency\s+active\s+1/);
    const shown = await kanade("notify", "show", "drill");
    expect(shown.stdout).toContain("Leave by the **east** stairs.");

    const w = await kanade("notify", "withdraw", "drill");
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toContain("withdrew drill");
    const last = await (await js.jetstreamManager()).streams.getMessage("NOTIFICATIONS", { last_by_subj: "notifications.pc.cli-pc-1" });
    expect(last?.json<{ kind: string }>().kind).toBe("withdrawn");
    expect(JSON.parse((await kanade("notify", "list", "--json")).stdout)).toMatchObject([{ id: "drill", state: "withdrawn" }]);
    expect((await kanade("notify", "withdraw", "drill")).stdout).toContain("already withdrawn");
    expect((await kanade("notify", "create", file)).code).toBe(1); // 409: ids are never reused
  });
});
