/**
 * The event timeline end to end: real nats-server, real backend, real agents (in-process, real child
 * processes for scripts). Agent start/stop, a script's events, offline/online inferred from heartbeats,
 * nothing lost or doubled across a broker outage and an agent restart, and bad messages dropped and logged.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { subjects, type EventKind, type ExecResponse, type ListResponse, type ResultRecord, type TimelineEvent } from "@kanade/protocol";
import { sleep, startNatsServer, startTestFleet, tempDatabase, testCommandKeys, waitFor, type NatsServer, type TestFleet } from "@kanade/testkit";
import { startBackend } from "../src/index.js";
import { natsClient, TOKEN, wrap, type TestBackend } from "./helpers.js";

/** Heartbeats every 400 ms: a PC is offline 1.2 s after its last one. */
const HEARTBEAT_MS = 400;

describe("event timeline", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let fleet: TestFleet;
  let backend: TestBackend;
  const db = tempDatabase();
  const lines: string[] = [];
  const log = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    }),
  );
  const startOurBackend = async (): Promise<TestBackend> =>
    wrap(
      await startBackend(
        { bindHost: "127.0.0.1", bindPort: 0, natsUrl: server.url, databaseUrl: db.url, authDisabled: false, staticToken: TOKEN, logLevel: "info", commandKeysDir: testCommandKeys().dir, presenceTickMs: 200, ...(db.stateDir ? { stateDir: db.stateDir } : {}) },
        { log },
      ),
      TOKEN,
    );
  const events = async (query: string): Promise<TimelineEvent[]> => {
    const r = await backend.api("GET", `/api/events?limit=500&${query}`);
    expect(r.status).toBe(200);
    return (r.body as ListResponse<TimelineEvent>).items;
  };
  const count = async (pc: string, kind: EventKind): Promise<number> => (await events(`pc=${pc}&kind=${kind}`)).length;
  const waitCount = (pc: string, kind: EventKind, n: number): Promise<true> =>
    waitFor(async () => (await count(pc, kind)) >= n || undefined, { timeoutMs: 20_000, what: `${n} ${kind} event(s) of ${pc}` });

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await natsClient(server.url);
    backend = await startOurBackend();
    fleet = await startTestFleet(server.url, [], { heartbeatIntervalMs: HEARTBEAT_MS });
  });
  afterAll(async () => {
    await fleet?.close();
    await backend?.close();
    await nc?.close();
    await server?.dispose();
    db.remove();
  });

  it("records agent start and stop, the OS boot once, and a script's events with their run", async () => {
    await fleet.start("ev-1");
    await waitCount("ev-1", "agent_started", 1);
    await waitCount("ev-1", "os_boot", 1);
    const script = [
      `echo '{"name":"backup.done","message":"3 GB","data":{"gb":3}}' >> "$KANADE_EVENTS_FILE"`,
      `echo 'not json' >> "$KANADE_EVENTS_FILE"`,
      `echo '{"name":"x","bogus":1}' >> "$KANADE_EVENTS_FILE"`,
    ].join("\n");
    const run = await backend.api("POST", "/api/run", { pcs: ["ev-1"], shell: "sh", script, run_as: "system" });
    expect(run.status).toBe(202);
    const execId = (run.body as ExecResponse).exec_id;
    const scripted = await waitFor(async () => {
      const got = await events("pc=ev-1&kind=script");
      return got.length >= 2 ? got : undefined;
    }, { timeoutMs: 20_000, what: "the script's events" });
    const done = scripted.find((e) => e.name === "backup.done");
    expect(done).toMatchObject({ kind: "script", exec_id: execId, job_id: "adhoc", message: "3 GB", data: { gb: 3 }, source: "script" });
    const rejected = scripted.find((e) => e.name === "kanade.events_rejected");
    expect(rejected?.message).toMatch(/line 2: not JSON; line 3: bogus: /);
    // The events went out before the result, in the same outbox; the result follows.
    const results = await waitFor(async () => {
      const r = (await backend.api("GET", `/api/results?exec_id=${execId}`)).body as ListResponse<ResultRecord>;
      return r.items.length > 0 ? r.items : undefined;
    }, { what: "the run's result" });
    expect(results.map((r) => r.status)).toEqual(["succeeded"]);

    await fleet.stop("ev-1");
    await waitCount("ev-1", "agent_stopped", 1);
    // Started again in the same boot: a new agent_started, no new os_boot.
    await fleet.start("ev-1");
    await waitCount("ev-1", "agent_started", 2);
    expect(await count("ev-1", "os_boot")).toBe(1);
    await fleet.stop("ev-1");
  });

  it("infers offline and online from heartbeats, once per transition, also across a backend restart", async () => {
    await fleet.start("ev-2");
    await waitCount("ev-2", "agent_online", 1);
    await fleet.stop("ev-2");
    await waitCount("ev-2", "agent_offline", 1);
    // Staying offline records nothing more, and neither does a backend restart.
    await backend.close();
    backend = await startOurBackend();
    await sleep(3 * HEARTBEAT_MS + 1_000);
    expect(await count("ev-2", "agent_offline")).toBe(1);
    expect(await count("ev-2", "agent_online")).toBe(1);
    await fleet.start("ev-2");
    await waitCount("ev-2", "agent_online", 2);
    await sleep(1_000);
    expect(await count("ev-2", "agent_online")).toBe(2);
    expect(await count("ev-2", "agent_offline")).toBe(1);
    const [online] = await events("pc=ev-2&kind=agent_online");
    expect(online?.source).toBe("backend");
    await fleet.stop("ev-2");
  });

  it("loses and doubles nothing across a broker outage and an agent restart", async () => {
    await fleet.start("ev-3");
    await waitCount("ev-3", "agent_started", 1);
    const outbox = join(fleet.dataDir.path, "ev-3", "outbox");
    const script = `sleep 2\necho '{"name":"during.outage"}' >> "$KANADE_EVENTS_FILE"`;
    const run = await backend.api("POST", "/api/run", { pcs: ["ev-3"], shell: "sh", script, run_as: "system" });
    expect(run.status).toBe(202);
    const execId = (run.body as ExecResponse).exec_id;
    // The script is running (its marker is written once its process exists): take the broker away while it does.
    const running = join(fleet.dataDir.path, "ev-3", "running");
    await waitFor(() => (existsSync(running) && readdirSync(running).length > 0) || undefined, { timeoutMs: 10_000, what: "the run to start" });
    await server.stop();
    // The run ends during the outage: its event and result wait in the outbox on disk.
    await waitFor(() => readdirSync(outbox).some((n) => n.endsWith(".event.json")) || undefined, { timeoutMs: 10_000, what: "the script event in the outbox" });
    // The agent stops while the broker is away (agent_stopped is queued too), then the broker and the agent come back.
    await fleet.stop("ev-3");
    expect(readdirSync(outbox).filter((n) => n.endsWith(".json")).length).toBeGreaterThanOrEqual(3);
    await server.start();
    await fleet.start("ev-3");
    await waitCount("ev-3", "agent_started", 2);
    await waitCount("ev-3", "agent_stopped", 1);
    const scripted = await waitFor(async () => {
      const got = await events("pc=ev-3&kind=script");
      return got.length > 0 ? got : undefined;
    }, { timeoutMs: 20_000, what: "the script event after the outage" });
    expect(scripted.map((e) => [e.name, e.exec_id])).toEqual([["during.outage", execId]]);
    await waitFor(async () => ((await backend.api("GET", `/api/results?exec_id=${execId}`)).body as ListResponse<ResultRecord>).items[0]?.status === "succeeded" || undefined, {
      timeoutMs: 20_000,
      what: "the run's result after the outage",
    });
    await waitFor(() => readdirSync(outbox).every((n) => !n.endsWith(".json")) || undefined, { what: "the outbox to empty" });
    // The same event sent again (a resend after a lost ack, long after JetStream's dedupe window) is stored once.
    const again = { ...scripted[0]!, received_at: undefined };
    delete again.received_at;
    // (The test's own connection may still be finding its way back to the restarted broker: retry.)
    await waitFor(() => jetstream(nc).publish(subjects.pcEvent("ev-3", "script"), JSON.stringify(again), { timeout: 2_000 }), { what: "the resend" });
    await sleep(1_000);
    const all = await events("pc=ev-3");
    const byKind = (k: EventKind): number => all.filter((e) => e.kind === k).length;
    expect([byKind("agent_started"), byKind("agent_stopped"), byKind("script"), byKind("os_boot")]).toEqual([2, 1, 1, 1]);
    expect(new Set(all.map((e) => e.event_id)).size).toBe(all.length);
    await fleet.stop("ev-3");
  });

  it("brings agents' events back from the stream when the database is lost", async () => {
    const before = (await events("pc=ev-1")).filter((e) => e.source !== "backend");
    expect(before.length).toBeGreaterThan(0);
    await backend.close();
    db.reset();
    backend = await startOurBackend();
    await waitFor(async () => (await events("pc=ev-1")).filter((e) => e.source !== "backend").length === before.length || undefined, { what: "ev-1's events replayed" });
    const after = (await events("pc=ev-1")).filter((e) => e.source !== "backend");
    expect(after.map((e) => e.event_id)).toEqual(before.map((e) => e.event_id));
    expect(lines.some((l) => l.includes("rebuilding from RESULTS"))).toBe(true);
  });

  it("drops and logs malformed event messages, and the projector carries on", async () => {
    const js = jetstream(nc);
    const good = (id: string, pc: string) => ({ event_id: id.padEnd(32, "0"), pc_id: pc, kind: "script", at: new Date().toISOString(), name: "ok" });
    await js.publish(subjects.pcEvent("ev-bad", "script"), "not json at all");
    await js.publish(subjects.pcEvent("ev-bad", "script"), JSON.stringify({ pc_id: "ev-bad", kind: "script" }));
    // Another PC's name in the body, a kind only the backend records, a kind that is not the subject's.
    await js.publish(subjects.pcEvent("ev-bad", "script"), JSON.stringify(good("aa", "ev-other")));
    await js.publish(subjects.pcEvent("ev-bad", "agent_offline"), JSON.stringify({ ...good("bb", "ev-bad"), kind: "agent_offline" }));
    await js.publish(subjects.pcEvent("ev-bad", "os_boot"), JSON.stringify(good("cc", "ev-bad")));
    await js.publish(subjects.pcEvent("ev-bad", "script"), JSON.stringify(good("dd", "ev-bad")));
    const stored = await waitFor(async () => {
      const got = await events("pc=ev-bad");
      return got.length > 0 ? got : undefined;
    }, { what: "the good event" });
    expect(stored.map((e) => e.event_id)).toEqual(["dd".padEnd(32, "0")]);
    expect(await events("pc=ev-other")).toEqual([]);
    const dropped = lines.filter((l) => l.includes('"projector":"kanade-events"') && l.includes("dropping"));
    expect(dropped.length).toBe(5);
    // Still projecting after all that.
    await js.publish(subjects.pcEvent("ev-bad", "script"), JSON.stringify(good("ee", "ev-bad")));
    await waitFor(async () => (await events("pc=ev-bad")).length === 2 || undefined, { what: "a later event" });
  });
});
