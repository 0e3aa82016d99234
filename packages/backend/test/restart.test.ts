import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { v7 as uuidv7 } from "uuid";
import { subjects, type ExecResult, type Heartbeat, type ResultRecord } from "@kanade/protocol";
import { writeFileSync } from "node:fs";
import { startNatsServer, tempDatabase, tempDir, waitFor, type NatsServer } from "@kanade/testkit";
import { startBackend } from "../src/index.js";
import { HELLO_YAML, TOKEN, makeResult, natsClient, quietLog, wrap, type TestBackend } from "./helpers.js";

type ErrBody = { error: { code: string } };

describe("durability, heartbeats and broker outages", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  const db = tempDatabase();
  const config = () => ({
    bindHost: "127.0.0.1",
    bindPort: 0,
    natsUrl: server.url,
    databaseUrl: db.url,
    authDisabled: false,
    staticToken: TOKEN,
    logLevel: "silent",
    ...(db.stateDir ? { stateDir: db.stateDir } : {}),
  });
  const start = async (over: { webRoot?: string } = {}): Promise<TestBackend> =>
    wrap(await startBackend({ ...config(), ...over }, { log: quietLog() }), TOKEN);
  const publishResult = (r: ExecResult): Promise<unknown> =>
    js.publish(subjects.result(r.exec_id, r.pc_id), JSON.stringify(r), { msgID: r.result_id });
  const resultCount = async (b: TestBackend, execId: string): Promise<number> =>
    ((await b.api("GET", `/api/results?exec_id=${execId}&limit=500`)).body as { items: ResultRecord[] }).items.length;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await natsClient(server.url);
    js = jetstream(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
    db.remove();
  });

  it("projects a result published while the backend was down exactly once after restart", async () => {
    const execId = uuidv7();
    let backend = await start();
    await publishResult(makeResult(execId, "pc-1"));
    await waitFor(async () => (await resultCount(backend, execId)) === 1, { what: "first result" });
    await backend.close();

    await publishResult(makeResult(execId, "pc-2"));
    backend = await start();
    try {
      await waitFor(async () => (await resultCount(backend, execId)) === 2, { what: "result published while down" });
      // Give any (wrong) redelivery a chance to show up before asserting "exactly once".
      await publishResult(makeResult(execId, "pc-3"));
      await waitFor(async () => (await resultCount(backend, execId)) === 3, { what: "third result" });
      const items = ((await backend.api("GET", `/api/results?exec_id=${execId}`)).body as { items: ResultRecord[] }).items;
      expect(items.map((r) => r.pc_id).sort()).toEqual(["pc-1", "pc-2", "pc-3"]);
    } finally {
      await backend.close();
    }
  });

  // Generous limits: on a loaded 2-core CI machine the burst can take a while; speed is the bench's job.
  it("projects a burst of 5,000 results", { timeout: 180_000 }, async () => {
    const backend = await start();
    try {
      const execId = uuidv7();
      const pcs = Array.from({ length: 5000 }, (_, i) => `pc-${i}`);
      await Promise.all(pcs.map((pc) => publishResult(makeResult(execId, pc))));
      const countAll = async (): Promise<number> => {
        let n = 0;
        let cursor: string | null = "";
        while (cursor !== null) {
          const page = (await backend.api("GET", `/api/results?exec_id=${execId}&limit=500&cursor=${cursor}`)).body as {
            items: unknown[];
            next_cursor: string | null;
          };
          n += page.items.length;
          cursor = page.next_cursor;
        }
        return n;
      };
      await waitFor(async () => (await countAll()) === 5000, { timeoutMs: 150_000, what: "all 5,000 results" });
    } finally {
      await backend.close();
    }
  });

  it("records heartbeats as agents, with online status, and exec --all targets them", async () => {
    const backend = await start();
    try {
      const hb = (pc: string, at: Date): Heartbeat => ({
        pc_id: pc,
        at: at.toISOString(),
        agent_version: "0.1.0",
        hostname: `${pc}.lan`,
        os_family: "linux",
        os_version: "12",
        boot_time: null,
        agent_rss_bytes: 1000,
        agent_cpu_pct: 0.5,
        groups: [],
        heartbeat_interval_secs: 10,
      });
      nc.publish(subjects.heartbeat("hb-1"), JSON.stringify(hb("hb-1", new Date())));
      nc.publish(subjects.heartbeat("hb-2"), JSON.stringify(hb("hb-2", new Date(Date.now() - 3_600_000))));
      nc.publish(subjects.heartbeat("hb-3"), "garbage");
      nc.publish(subjects.heartbeat("hb-4"), JSON.stringify(hb("someone-else", new Date())));
      type Agents = { items: { pc_id: string; online: boolean; hostname: string }[] };
      const agents = await waitFor(async () => {
        const a = (await backend.api("GET", "/api/agents")).body as Agents;
        return a.items.length === 2 ? a : undefined;
      }, { what: "two agents" });
      // Online is judged on the backend's receive time: hb-2's lagging clock does not make it offline.
      expect(agents.items.map((a) => [a.pc_id, a.online, a.hostname])).toEqual([
        ["hb-1", true, "hb-1.lan"],
        ["hb-2", true, "hb-2.lan"],
      ]);
      expect(((await backend.api("GET", "/api/agents?online=true")).body as Agents).items.map((a) => a.pc_id)).toEqual(["hb-1", "hb-2"]);
      expect((await backend.api("GET", "/api/agents/hb-1")).body).toMatchObject({ pc_id: "hb-1", heartbeat_interval_secs: 10 });

      await backend.api("POST", "/api/jobs", HELLO_YAML);
      const r = await backend.api("POST", "/api/exec/hello", { all: true });
      expect(r.body).toMatchObject({ target_count: 2, state: "running" });

      expect((await backend.api("DELETE", "/api/agents/hb-2")).status).toBe(200);
      expect((await backend.api("GET", "/api/agents/hb-2")).status).toBe(404);
    } finally {
      await backend.close();
    }
  });

  it("answers mutations with 503 NATS_UNAVAILABLE quickly while the broker is down, and recovers", async () => {
    const backend = await start();
    try {
      await backend.api("POST", "/api/jobs", HELLO_YAML);
      await server.stop();
      await waitFor(async () => ((await backend.api("GET", "/health")).body as { nats: string }).nats === "disconnected", {
        what: "health to report disconnected",
      });
      const r = await backend.api("POST", "/api/exec/hello", { pcs: ["pc-1"] });
      expect(r.status).toBe(503);
      expect((r.body as ErrBody).error.code).toBe("NATS_UNAVAILABLE");
      // Reads served from the DB keep working.
      expect((await backend.api("GET", "/api/executions")).status).toBe(200);

      await server.start();
      await waitFor(async () => (await backend.api("POST", "/api/exec/hello", { pcs: ["pc-1"] })).status === 202, {
        timeoutMs: 20_000,
        what: "exec to work again after reconnect",
      });
    } finally {
      await backend.close();
    }
  });

  it("serves the web UI from KANADE_WEB_ROOT with an index.html fallback, never outside it", async () => {
    const web = tempDir("kanade-web-");
    writeFileSync(web.join("index.html"), "<!doctype html><title>kanade</title>");
    writeFileSync(web.join("app.js"), "console.log(1)");
    const backend = await start({ webRoot: web.path });
    try {
      const index = await fetch(`${backend.url}/`);
      expect(index.headers.get("content-type")).toContain("text/html");
      expect(await index.text()).toContain("<title>kanade</title>");
      expect(await (await fetch(`${backend.url}/app.js`)).text()).toBe("console.log(1)");
      expect(await (await fetch(`${backend.url}/executions/123`)).text()).toContain("<title>kanade</title>");
      expect(await (await fetch(`${backend.url}/..%2f..%2f..%2fetc%2fpasswd`)).text()).not.toContain("root:");
      const api = await backend.api("GET", "/api/nope");
      expect(api.status).toBe(404);
      expect((api.body as ErrBody).error.code).toBe("NOT_FOUND");
    } finally {
      await backend.close();
      web.remove();
    }
  });
});
