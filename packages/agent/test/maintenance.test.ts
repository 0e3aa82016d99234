/**
 * KLP maintenance.list|defer end to end with real parts: a real nats-server, the backend signing the standing
 * order of a `runs_on: agent` schedule with `user_defer`, an in-process agent with KLP on its real per-user
 * socket, and a KLP client on that socket. The client lists the schedule, defers it, is refused past max_delay,
 * and the deferral reaches the operators' timeline (`GET /api/events`) through the agent's outbox.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListResponse, TimelineEvent } from "@kanade/protocol";
import { KLP_ERRORS, type MaintenanceItem } from "@kanade/protocol/klp";
import { KlpCallError, KlpClient } from "@kanade/protocol/klp-client";
import { startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";
import { SELF_UID } from "./klp-harness.js";

const PC = "maint-pc-1";
let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
let dir: TempDir;
let client: KlpClient | undefined;

const codeAndMessage = (p: Promise<unknown>): Promise<string> => p.then(() => "ok", (e: unknown) => (e instanceof KlpCallError ? `${e.code} ${e.message}` : String(e)));

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  dir = tempDir("kanade-maint-");
  fleet = await startTestFleet(nats.url, []);
  await fleet.start(PC, { klp: { dir: dir.join("klp"), usersDir: dir.join("users") } });
  const job = `id: maint-job\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 60s\n  script: echo hi\n`;
  const r = await fetch(`${backend.url}/api/jobs`, { method: "POST", headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/yaml" }, body: job });
  expect(r.status, await r.text()).toBe(201);
});

afterAll(async () => {
  client?.close();
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  dir?.remove();
});

describe.skipIf(process.platform === "win32")("KLP maintenance end to end", () => {
  it("lists the agent-side schedule, defers its next occurrence, refuses past max_delay, and the deferral shows in GET /api/events", { timeout: 60_000 }, async () => {
    // Daily, two hours from now (UTC, to the minute): nothing is due while the test runs.
    const fire = new Date(Math.floor((Date.now() + 2 * 3_600_000) / 60_000) * 60_000);
    const hhmm = fire.toISOString().slice(11, 16);
    const created = await backend.api("POST", "/api/schedules", {
      id: "nightly-maint",
      job: "maint-job",
      runs_on: "agent",
      when: { calendar: { at: hhmm }, tz: "utc" },
      target: { pcs: [PC] },
      starting_deadline: "3h",
      user_defer: { max_delay: "2h", max_times: 2 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const orders = (): string => {
      const f = fleet.dataDir.join(PC, "state", "schedule-orders.json");
      return existsSync(f) ? readFileSync(f, "utf8") : "";
    };
    await waitFor(() => orders().includes('"schedule_id":"nightly-maint"'), { timeoutMs: 15_000, what: "the standing order on the PC" });

    client = await KlpClient.connect(dir.join("klp", `${SELF_UID}.sock`), { clientVersion: "0.0.1-test" });
    const list = async (): Promise<MaintenanceItem[]> => ((await client!.call("maintenance.list")) as { maintenance: MaintenanceItem[] }).maintenance;
    const at = fire.toISOString();
    expect(await list()).toEqual([
      {
        schedule_id: "nightly-maint",
        job_id: "maint-job",
        occurrence: at,
        next_fire_at: at,
        latest_start: new Date(fire.getTime() + 3 * 3_600_000).toISOString(),
        defer: { allowed: true, max_delay: "2h", max_times: 2, times_left: 2, latest_until: new Date(fire.getTime() + 2 * 3_600_000).toISOString() },
      },
    ]);

    const later = new Date(fire.getTime() + 30 * 60_000).toISOString();
    expect(await client.call("maintenance.defer", { schedule_id: "nightly-maint", by: "30m" })).toEqual({ schedule_id: "nightly-maint", occurrence: at, deferred_until: later, times_left: 1 });
    expect((await list())[0]).toMatchObject({ next_fire_at: later, defer: { times_left: 1, deferred_until: later } });
    expect(await codeAndMessage(client.call("maintenance.defer", { schedule_id: "nightly-maint", by: "2h" }))).toBe(
      `${KLP_ERRORS.DEFER_REFUSED} max_delay: that puts it off by 2h30m in total, the schedule allows 2h (at the latest ${new Date(fire.getTime() + 2 * 3_600_000).toISOString()})`,
    );
    expect(await codeAndMessage(client.call("maintenance.defer", { schedule_id: "nope", by: "1h" }))).toBe(`${KLP_ERRORS.NOT_FOUND} no agent-side schedule "nope" on this PC`);
    expect(await codeAndMessage(client.call("maintenance.defer", { schedule_id: "nightly-maint", by: "soon" }))).toMatch(new RegExp(`^${KLP_ERRORS.INVALID_PARAMS} invalid params: .*by`, "s"));

    const events = await waitFor(
      async () => {
        const r = await backend.api<ListResponse<TimelineEvent>>("GET", `/api/events?pc=${PC}&kind=maintenance_deferred`);
        return r.status === 200 && r.body.items.length > 0 ? r.body.items : undefined;
      },
      { timeoutMs: 20_000, what: "the deferral on the timeline" },
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: "maintenance_deferred",
      pc_id: PC,
      user: `uid:${SELF_UID}`,
      source: "klp",
      job_id: "maint-job",
      data: { schedule_id: "nightly-maint", occurrence: at, until: later, by: "30m", times_used: 1, max_times: 2 },
    });
  });
});
