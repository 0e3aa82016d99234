/**
 * Crash-consistent execs: the backend is SIGKILLed at random moments while 20 executions fan out to 200
 * simulated PCs each, then restarted. Every execution must end completed or explicitly failed (nothing
 * left running or pending without a command on its way), every execution must be audited, and a database
 * rebuilt from the streams must show the same executions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, ExecutionSummary, ListResponse } from "@kanade/protocol";
import { freePort, REPO_ROOT, sleep, startNatsServer, tempDatabase, tempDir, testCommandKeys, waitFor, type NatsServer, type TempDatabase, type TempDir } from "@kanade/testkit";
import { TOKEN } from "./helpers.js";

const PCS = Array.from({ length: 200 }, (_, i) => `sim-${String(i + 1).padStart(4, "0")}`);
const ROUNDS = 3;
const PARALLEL = 20;
const FINAL = ["completed", "failed_to_publish"];

describe("exec creation across backend crashes", () => {
  let nats: NatsServer;
  let dir: TempDir;
  let port: number;
  let base: string;
  let backend: ChildProcess | undefined;
  let sim: ChildProcess | undefined;
  let db: TempDatabase;

  const spawnNode = (bin: string, args: string[], env: Record<string, string>): ChildProcess =>
    spawn(process.execPath, [`${REPO_ROOT}${bin}`, ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
  const exited = (c: ChildProcess): Promise<void> =>
    new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())));
  const startBackendProcess = async (args: string[] = []): Promise<void> => {
    backend = spawnNode("packages/backend/bin/kanade-backend.js", args, {
      KANADE_BIND_ADDR: `127.0.0.1:${port}`,
      KANADE_NATS_URL: nats.url,
      DATABASE_URL: db.url,
      ...(db.stateDir ? { KANADE_STATE_DIR: db.stateDir } : {}),
      KANADE_AUTH_STATIC_TOKEN: TOKEN,
      KANADE_LOG: "silent",
      ...testCommandKeys().backendEnv,
    });
    await waitFor(() => fetch(`${base}/health`).then((r) => r.ok, () => false), { timeoutMs: 30_000, what: "the backend to answer /health" });
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": typeof body === "string" ? "application/yaml" : "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const executions = async (): Promise<ExecutionSummary[]> =>
    (await api<ListResponse<ExecutionSummary>>("GET", "/api/executions?limit=500")).body.items;

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = tempDir("kanade-crash-exec-");
    db = tempDatabase();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startBackendProcess();
    sim = spawnNode("packages/agent/bin/kanade-agent.js", ["simulate", "--count", String(PCS.length)], {
      KANADE_NATS_URL: nats.url,
      KANADE_AGENT_DATA_DIR: dir.join("sim"),
      KANADE_LOG: "silent",
      ...testCommandKeys().agentEnv,
    });
    await waitFor(
      async () => (await api<ListResponse<{ online: boolean }>>("GET", "/api/agents")).body.items.filter((a) => a.online).length === PCS.length,
      { timeoutMs: 60_000, what: "200 simulated agents online" },
    );
    const job = "id: crash-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo done\n  timeout: 60s\n";
    expect((await api("POST", "/api/jobs", job)).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    for (const c of [sim, backend]) {
      if (!c) continue;
      c.kill("SIGKILL");
      await exited(c);
    }
    await nats?.dispose();
    dir?.remove();
    db?.remove();
  });

  it("ends every execution completed or failed_to_publish, audited, and the same after a rebuild", async () => {
    let fired = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let answered!: () => void;
      const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
      const posts = Array.from({ length: PARALLEL }, () =>
        api("POST", "/api/exec/crash-echo", { pcs: PCS }).then(
          () => answered(),
          () => undefined, // the connection dies with the backend: the execution may or may not exist
        ),
      );
      fired += PARALLEL;
      // Kill while the round is under way: once the first execution is in (so every round leaves some behind,
      // on either database engine whatever its speed), at a random point among the others.
      await Promise.race([firstAnswer, sleep(10_000)]);
      await sleep(Math.floor(Math.random() * 200));
      backend!.kill("SIGKILL");
      await exited(backend!);
      await Promise.all(posts);
      await startBackendProcess();
    }

    // Nothing stays running: every execution the backend knows ends, by its results or explicitly.
    let stragglers = "";
    await waitFor(
      async () => {
        const open = (await executions()).filter((e) => !FINAL.includes(e.state));
        stragglers = open.map((e) => `${e.exec_id} ${e.state} ${JSON.stringify(e.counts)}`).join("; ");
        return open.length === 0;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: "every execution to end completed or failed_to_publish" },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; still open: ${stragglers}`);
    });
    const before = await executions();
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThanOrEqual(fired);
    for (const e of before) {
      expect(e.counts.pending, `${e.exec_id} has pending PCs`).toBe(0);
      expect(e.counts.running, `${e.exec_id} has running PCs`).toBe(0);
      if (e.state === "failed_to_publish") expect(e.state_reason).toBeTruthy();
      else expect(e.counts).toMatchObject({ total: PCS.length, succeeded: PCS.length });
    }

    // Every execution has its exec.create record in the audit trail.
    await waitFor(
      async () => {
        const audited = new Set(
          (await api<ListResponse<AuditRecord>>("GET", "/api/audit?action=exec.create&limit=500")).body.items.map((a) => a.payload_summary.exec_id),
        );
        return before.every((e) => audited.has(e.exec_id));
      },
      { timeoutMs: 30_000, what: "an exec.create audit record for every execution" },
    );

    // Lose the database: the rebuild from AUDIT and RESULTS shows the same executions, in the same states.
    backend!.kill("SIGTERM");
    await exited(backend!);
    db.reset();
    await startBackendProcess(["--rebuild"]);
    const key = (e: ExecutionSummary): string => `${e.exec_id} ${e.state} ${e.counts.succeeded}`;
    const expected = before.map(key).sort();
    await waitFor(async () => JSON.stringify((await executions()).map(key).sort()) === JSON.stringify(expected), {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: "the rebuilt executions to match",
    });
  }, 400_000);
});
