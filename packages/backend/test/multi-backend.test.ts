/**
 * Several backends on one database and one broker (issue 16 §2), as real processes: two `kanade-backend`s on the
 * same SQLite file and nats-server, and a simulator process with 300 agents. A session made on one backend works
 * on the other and ends on both; a backend SIGKILLed right after it published an exec leaves the other to project
 * every result exactly once (the projectors are durable consumers the backends share); a schedule both backends
 * tick fires once per PC; the fleet's live perf view streams from either backend.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { perfFrameSchema, type ListResponse } from "@kanade/protocol";
import { freePort, startNatsServer, tempDir, testCommandKeys, waitFor, type NatsServer, type TempDir } from "@kanade/testkit";
import { exited, spawnNode, startBackendProcess, type BackendProcess } from "./backend-process.js";
import { TOKEN } from "./helpers.js";

const N = 300;
const ADMIN = { username: "root-admin", password: "correct horse battery staple 42" };

describe("two backends on one database and one broker", () => {
  let nats: NatsServer;
  let dir: TempDir;
  let sim: ChildProcess | undefined;
  const backends: { a?: BackendProcess; b?: BackendProcess } = {};
  let env: Record<string, string>;
  let ports: { a: number; b: number };

  const call = async (b: BackendProcess, method: string, path: string, body?: unknown, token = TOKEN): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${b.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": typeof body === "string" ? "application/yaml" : "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const ok = async <T>(b: BackendProcess, method: string, path: string, body?: unknown): Promise<T> => {
    const r = await call(b, method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  const done = async (b: BackendProcess, execId: string): Promise<number> =>
    (await ok<{ counts: { done: number } }>(b, "GET", `/api/executions/${execId}?rows=false`)).counts.done;
  const resultRows = (execId: string): { pcs: number; rows: number; doubled: number } => {
    const db = new DatabaseSync(dir.join("kanade.db"), { readOnly: true, timeout: 5_000 });
    try {
      const r = db
        .prepare("SELECT COUNT(*) AS pcs, COALESCE(SUM(n), 0) AS rows, COALESCE(SUM(n > 1), 0) AS doubled FROM (SELECT pc_id, COUNT(*) AS n FROM results WHERE exec_id = ? GROUP BY pc_id)")
        .get(execId) as { pcs: number; rows: number; doubled: number };
      return { pcs: Number(r.pcs), rows: Number(r.rows), doubled: Number(r.doubled) };
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = tempDir("kanade-multi-backend-");
    ports = { a: await freePort(), b: await freePort() };
    env = {
      KANADE_NATS_URL: nats.url,
      DATABASE_URL: `sqlite://${dir.join("kanade.db")}`,
      // Sessions are rows in the shared database, signed with one secret every backend is given.
      KANADE_AUTH_JWT_SECRET: randomBytes(24).toString("base64url"),
      KANADE_SCHEDULE_TICK: "1s",
    };
    backends.a = await startBackendProcess(ports.a, { ...env, KANADE_BOOTSTRAP_ADMIN_USER: ADMIN.username, KANADE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    backends.b = await startBackendProcess(ports.b, env);
    sim = spawnNode("packages/agent/bin/kanade-agent.js", ["simulate", "--count", String(N), "--host-perf-interval", "1s"], {
      KANADE_NATS_URL: nats.url,
      KANADE_AGENT_DATA_DIR: dir.join("sim"),
      KANADE_LOG: "silent",
      ...testCommandKeys().agentEnv,
    });
    await waitFor(
      async () => (await ok<ListResponse<{ online: boolean }>>(backends.b!, "GET", "/api/agents?limit=1000")).items.filter((a) => a.online).length === N,
      { timeoutMs: 120_000, intervalMs: 500, what: `${N} simulated agents online on the second backend` },
    );
    await ok(backends.a, "POST", "/api/jobs", "id: multi-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n");
  }, 240_000);

  afterAll(async () => {
    if (sim) {
      sim.kill("SIGKILL");
      await exited(sim);
    }
    for (const b of [backends.a, backends.b]) await b?.kill("SIGKILL");
    await nats?.stop();
    dir?.remove();
  });

  it("accepts a session made on one backend on the other, and a logout on either ends it on both", async () => {
    const login = await call(backends.a!, "POST", "/api/auth/login", ADMIN, "");
    expect(login.status).toBe(200);
    const token = (login.body as { token: string }).token;
    expect((await call(backends.b!, "GET", "/api/auth/me", undefined, token)).status).toBe(200);
    expect((await call(backends.b!, "POST", "/api/auth/logout", undefined, token)).status).toBe(200);
    expect((await call(backends.a!, "GET", "/api/auth/me", undefined, token)).status).toBe(401);
  });

  it("projects every result exactly once when the backend that published the exec is SIGKILLed", async () => {
    const { exec_id } = await ok<{ exec_id: string }>(backends.a!, "POST", "/api/exec/multi-echo", { all: true });
    await backends.a!.kill("SIGKILL");
    await waitFor(async () => (await done(backends.b!, exec_id)) === N, { timeoutMs: 120_000, intervalMs: 250, what: `all ${N} results of ${exec_id} on the surviving backend` });
    expect(resultRows(exec_id)).toEqual({ pcs: N, rows: N, doubled: 0 });
    backends.a = await startBackendProcess(ports.a, env);
    expect(await done(backends.a, exec_id)).toBe(N);
  }, 180_000);

  it("fires a per-PC schedule once per PC while both backends tick", async () => {
    await ok(backends.b!, "POST", "/api/schedules", "id: multi-once\njob: multi-echo\nwhen: {per_pc: once}\ntarget: {all: true}\n");
    await waitFor(async () => (await ok<{ counts: { ok: number } }>(backends.a!, "GET", "/api/schedules/multi-once/coverage")).counts.ok === N, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: `the schedule's coverage reaching ${N} PCs`,
    });
    // Both backends keep ticking a while longer: nothing fires again.
    await new Promise((r) => setTimeout(r, 2_000));
    const db = new DatabaseSync(dir.join("kanade.db"), { readOnly: true, timeout: 5_000 });
    try {
      const r = db.prepare("SELECT COUNT(*) AS rows, COUNT(DISTINCT pc_id) AS pcs FROM results WHERE exec_id IN (SELECT exec_id FROM schedule_fires WHERE schedule_id = 'multi-once')").get() as { rows: number; pcs: number };
      expect({ rows: Number(r.rows), pcs: Number(r.pcs) }).toEqual({ rows: N, pcs: N });
    } finally {
      db.close();
    }
  }, 180_000);
  it("streams the fleet's live perf from either backend", async () => {
    const pcsSeen = async (b: BackendProcess): Promise<number> => {
      const ws = new WebSocket(`${b.url.replace("http", "ws")}/api/perf/fleet/live`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const pcs = new Set<string>();
      ws.on("message", (data: Buffer) => {
        const frame = perfFrameSchema.parse(JSON.parse(data.toString()));
        if (frame.type === "host_perf") pcs.add(frame.data.pc_id);
      });
      try {
        await waitFor(() => pcs.size >= 10 || undefined, { timeoutMs: 30_000, what: `live perf frames from 10 PCs on ${b.url}` });
        return pcs.size;
      } finally {
        ws.close();
      }
    };
    expect(await pcsSeen(backends.a!)).toBeGreaterThanOrEqual(10);
    expect(await pcsSeen(backends.b!)).toBeGreaterThanOrEqual(10);
  });
});
