/**
 * Nothing lost, nothing stale (issue 3): a real nats-server we stop and start, the real backend, real
 * agents running real `sh` scripts, the real CLI — every assertion is on what the API returns.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "@kanade/agent";
import type { ExecutionDetail, ListResponse, ResultRecord } from "@kanade/protocol";
import { SKIP_EXIT } from "@kanade/protocol";
import {
  runCli,
  sleep,
  startNatsServer,
  startTestBackend,
  startTestFleet,
  tempDir,
  testLogger,
  waitFor,
  type NatsServer,
  type TestBackend,
  type TestFleet,
  testCommandKeys,
} from "@kanade/testkit";

const PCS = ["rel-pc-1", "rel-pc-2", "rel-pc-3"];
const OFFLINE = "rel-pc-3";

let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
const jobs = tempDir("kanade-rel-jobs-");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });

async function createJob(id: string, script: string, opts: { version?: string; extra?: string } = {}): Promise<void> {
  const path = jobs.join(`${id}-${opts.version ?? "1.0.0"}.yaml`);
  const body = script.split("\n").map((l) => `    ${l}`).join("\n");
  writeFileSync(path, `id: ${id}\nversion: ${opts.version ?? "1.0.0"}\nexecute:\n  shell: sh\n  timeout: 60s\n  script: |\n${body}\n${opts.extra ?? ""}`);
  const r = await kanade("job", "create", path);
  expect(r.code, r.stderr).toBe(0);
}

async function fire(jobId: string, ...args: string[]): Promise<string> {
  const r = await kanade("exec", jobId, ...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { exec_id: string }).exec_id;
}

async function results(execId: string): Promise<ResultRecord[]> {
  return (await backend.api<ListResponse<ResultRecord>>("GET", `/api/results?exec_id=${execId}&limit=500`)).body.items;
}

function waitResults(execId: string, n: number, timeoutMs = 20_000): Promise<ResultRecord[]> {
  return waitFor(async () => {
    const rs = await results(execId);
    return rs.length >= n ? rs : undefined;
  }, { timeoutMs, what: `${n} result(s) of ${execId}` });
}

async function execution(execId: string): Promise<ExecutionDetail> {
  return (await backend.api<ExecutionDetail>("GET", `/api/executions/${execId}`)).body;
}

const markerDir = (pc: string): string => join(fleet.dataDir.join(pc), "running");
const hasMarker = (pc: string, execId: string): boolean => existsSync(join(markerDir(pc), `${execId}.json`));

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  fleet = await startTestFleet(nats.url, PCS);
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === PCS.length, {
    what: "every agent in GET /api/agents",
  });
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  jobs.remove();
});

describe("1. broker outage", () => {
  // The drill as written: a 20-second job, the broker stopped mid-run and started 30 s later.
  it("delivers every result exactly once after nats-server comes back", { timeout: 120_000 }, async () => {
    await createJob("rel-outage", "echo started\nsleep 20\necho finished");
    const execId = await fire("rel-outage", "--pcs", ...PCS);
    await waitFor(async () => (await execution(execId)).counts.running === PCS.length, { what: "three running rows" });

    await nats.stop();
    const stoppedAt = Date.now();
    // The runs finish while the broker is away: each result waits in its agent's outbox on disk.
    await waitFor(
      () => PCS.every((pc) => readdirSync(join(fleet.dataDir.join(pc), "outbox")).some((n) => n.endsWith(".json"))),
      { timeoutMs: 28_000, what: "a result waiting in every outbox" },
    );
    await sleep(Math.max(0, 30_000 - (Date.now() - stoppedAt)));
    await nats.start();

    const produced = PCS.length;
    const rs = await waitResults(execId, produced, 30_000);
    await sleep(1_000); // room for a duplicate to show up if the outbox resent one
    const after = await results(execId);
    const duplicates = after.length - new Set(after.map((r) => r.pc_id)).size;
    expect({ produced, projected: after.length, duplicates }).toEqual({ produced: 3, projected: 3, duplicates: 0 });
    expect(rs.every((r) => r.status === "succeeded" && r.stdout === "started\nfinished\n")).toBe(true);
    for (const pc of PCS) expect(readdirSync(join(fleet.dataDir.join(pc), "outbox")).filter((n) => n.endsWith(".json"))).toEqual([]);
  });
});

/** SIGKILLs a process group that may already be gone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

describe("2. agent killed mid-run", () => {
  const agentBin = fileURLToPath(new URL("../../agent/bin/kanade-agent.js", import.meta.url));
  const spawnAgent = (dataDir: string): ChildProcess =>
    spawn(process.execPath, [agentBin], {
      env: { ...process.env, KANADE_NATS_URL: nats.url, KANADE_AGENT_DATA_DIR: dataDir, KANADE_AGENT_ID: "rel-crash-pc", KANADE_LOG: "silent", ...testCommandKeys().agentEnv },
      stdio: "ignore",
    });
  const exited = (c: ChildProcess): Promise<void> =>
    new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())));

  it("reports the run as error after a SIGKILL and never runs it again", async () => {
    await createJob("rel-crash", 'echo $$ > "$KANADE_TEST_DIR/pid"\necho run >> "$KANADE_TEST_DIR/runs"\nsleep 30');
    const data = tempDir("kanade-rel-crash-");
    process.env.KANADE_TEST_DIR = data.path; // inherited by the agent, then by its scripts
    let child = spawnAgent(data.path);
    let scriptPid: number | undefined;
    try {
      await waitFor(async () => (await backend.api<ListResponse<{ pc_id: string }>>("GET", "/api/agents")).body.items.some((a) => a.pc_id === "rel-crash-pc"), {
        what: "the agent process to heartbeat",
      });
      const execId = await fire("rel-crash", "--pcs", "rel-crash-pc");
      await waitFor(() => existsSync(join(data.path, "pid")), { what: "the script to start" });
      scriptPid = Number(readFileSync(join(data.path, "pid"), "utf8").trim());
      child.kill("SIGKILL");
      await exited(child);

      child = spawnAgent(data.path);
      const [r] = await waitResults(execId, 1);
      expect(r).toMatchObject({ pc_id: "rel-crash-pc", status: "error", exit_code: null });
      expect(r!.error).toMatch(/agent stopped while the script was running/);
      expect(r!.started_at).not.toBeNull();
      // Still alive and taking work, and the interrupted exec was not started a second time.
      await createJob("rel-crash-next", "echo next");
      const next = await fire("rel-crash-next", "--pcs", "rel-crash-pc");
      expect((await waitResults(next, 1))[0]).toMatchObject({ status: "succeeded" });
      expect(readFileSync(join(data.path, "runs"), "utf8")).toBe("run\n");
    } finally {
      child.kill("SIGTERM");
      await exited(child);
      // The orphaned script runs in its own process group (the agent starts it detached).
      if (scriptPid) killGroup(scriptPid);
      delete process.env.KANADE_TEST_DIR;
      data.remove();
    }
  });
});

describe("4. offline agent returns", () => {
  it("receives only the newest of two execs published while it was offline", async () => {
    await createJob("rel-offline", 'echo "run $KANADE_EXEC_ID"');
    await fleet.stop(OFFLINE);
    const older = await fire("rel-offline", "--pcs", OFFLINE);
    const newer = await fire("rel-offline", "--pcs", OFFLINE);
    await fleet.start(OFFLINE);
    const [r] = await waitResults(newer, 1);
    expect(r).toMatchObject({ pc_id: OFFLINE, status: "succeeded", stdout: `run ${newer}\n` });
    await sleep(1_000);
    expect(await results(older)).toEqual([]);
    expect((await execution(older)).rows).toEqual([expect.objectContaining({ pc_id: OFFLINE, status: "pending" })]);
  });
});

describe("5. version pin and revoke", () => {
  it("skips a queued command whose version is no longer current with 124", async () => {
    await createJob("rel-pin", "echo one", { version: "1.0.0" });
    await fleet.stop(OFFLINE);
    const old = await fire("rel-pin", "--pcs", OFFLINE);
    await createJob("rel-pin", "echo two", { version: "1.1.0" });
    const current = await fire("rel-pin", "--pcs", "rel-pc-1");
    expect((await waitResults(current, 1))[0]).toMatchObject({ status: "succeeded", version: "1.1.0" });
    await fleet.start(OFFLINE);
    const [r] = await waitResults(old, 1);
    expect(r).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.VERSION_MISMATCH, version: "1.0.0", started_at: null });
    expect(r!.skip_reason).toMatch(/1\.1\.0/);
  });

  it("skips a command queued before `kanade revoke` with 126, and one queued before `kanade job delete`", async () => {
    await createJob("rel-revoke", "echo should not run");
    await fleet.stop(OFFLINE);
    const queued = await fire("rel-revoke", "--pcs", OFFLINE);
    const revoke = await kanade("revoke", "rel-revoke", "--json");
    expect(revoke.code, revoke.stderr).toBe(0);
    await fleet.start(OFFLINE);
    const [r] = await waitResults(queued, 1);
    expect(r).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.REVOKED, started_at: null, stdout: "" });
    expect(r!.skip_reason).toMatch(/revoked/);
    // Firing a revoked job is refused up front; unrevoke makes it runnable again.
    expect((await kanade("exec", "rel-revoke", "--pcs", "rel-pc-1")).code).toBe(1);
    expect((await kanade("unrevoke", "rel-revoke")).code).toBe(0);

    await createJob("rel-delete", "echo should not run either");
    await fleet.stop(OFFLINE);
    const beforeDelete = await fire("rel-delete", "--pcs", OFFLINE);
    expect((await kanade("job", "delete", "rel-delete")).code).toBe(0);
    await fleet.start(OFFLINE);
    expect((await waitResults(beforeDelete, 1))[0]).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.REVOKED });
  });
});

describe("6. strict staleness", () => {
  it("skips with 127 when the agent lost the broker before the run could start", async () => {
    await createJob("rel-strict", "echo strict", { extra: "staleness: { mode: strict, max_cache_age: 0s }\n" });
    const data = tempDir("kanade-rel-strict-");
    // A fixed random makes the jitter sleep exactly half the window: time to take the broker away.
    let agent: RunningAgent | undefined = await startAgent(
      { pcId: "rel-strict-pc", natsUrl: nats.url, dataDir: data.path, logLevel: "silent", heartbeatIntervalMs: 30_000, commandKeys: testCommandKeys().keys },
      { log: testLogger("rel-strict-pc"), random: () => 0.5 },
    );
    try {
      const execId = await fire("rel-strict", "--pcs", "rel-strict-pc", "--jitter", "6s");
      await waitFor(() => existsSync(join(data.path, "running", `${execId}.json`)), { what: "the agent to accept the command" });
      await nats.stop();
      await waitFor(() => !existsSync(join(data.path, "running", `${execId}.json`)), { timeoutMs: 15_000, what: "the gate decision" });
      await nats.start();
      const [r] = await waitResults(execId, 1, 30_000);
      expect(r).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.STALENESS, started_at: null });
      expect(r!.skip_reason).toMatch(/not connected/);

      // Connected, the same strict job runs.
      const ok = await fire("rel-strict", "--pcs", "rel-strict-pc");
      expect((await waitResults(ok, 1))[0]).toMatchObject({ status: "succeeded", stdout: "strict\n" });
    } finally {
      await agent.stop();
      agent = undefined;
      data.remove();
    }
  });
});

describe("7. deadline and jitter", () => {
  it("skips with 125 when the deadline passed", async () => {
    await createJob("rel-deadline", "echo late");
    const execId = await fire("rel-deadline", "--pcs", "rel-pc-1", "--deadline", new Date(Date.now() - 60_000).toISOString());
    expect((await waitResults(execId, 1))[0]).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.DEADLINE_PASSED, started_at: null });
  });

  it("spreads starts over the --jitter window", async () => {
    await createJob("rel-jitter", "echo spread");
    const before = Date.now();
    const execId = await fire("rel-jitter", "--pcs", ...PCS, "--jitter", "4s");
    const rs = await waitResults(execId, PCS.length);
    const starts = rs.map((r) => Date.parse(r.started_at!));
    for (const s of starts) {
      expect(s).toBeGreaterThanOrEqual(before);
      expect(s - before).toBeLessThan(4_000 + 5_000);
    }
    expect(new Set(starts).size).toBe(PCS.length);
  });

  it("`kanade kill` during the jitter sleep cancels the run: killed, never started", async () => {
    await createJob("rel-jitter-kill", "echo must not run");
    const execId = await fire("rel-jitter-kill", "--pcs", "rel-pc-2", "--jitter", "10m");
    await waitFor(() => hasMarker("rel-pc-2", execId), { what: "the agent to be in its jitter sleep" });
    const kill = await kanade("kill", execId);
    expect(kill.code, kill.stderr).toBe(0);
    const [r] = await waitResults(execId, 1);
    expect(r).toMatchObject({ status: "killed", exit_code: null, started_at: null, stdout: "" });
  });
});

describe("8. big output", () => {
  it("keeps 256 KiB inline and returns the whole 700,000 bytes with ?full=1 and `kanade results --full`", async () => {
    await createJob("rel-big", "head -c 700000 /dev/zero | tr '\\0' 'k'\necho tail-marker >&2");
    const execId = await fire("rel-big", "--pcs", "rel-pc-1");
    const [r] = await waitResults(execId, 1);
    expect(r).toMatchObject({ status: "succeeded", stdout_truncated: true, stdout_object: `${r!.result_id}/stdout`, stderr_object: null });
    expect(Buffer.byteLength(r!.stdout)).toBe(256 * 1024);

    const full = (await backend.api<ResultRecord>("GET", `/api/results/${r!.result_id}?full=1`)).body;
    expect(full.stdout.length).toBe(700_000);
    expect(full.stdout).toMatch(/^k+$/);
    expect(full.stderr).toBe("tail-marker\n");

    const cli = await kanade("results", "--exec", execId, "--full", "--json");
    expect(cli.code, cli.stderr).toBe(0);
    const items = JSON.parse(cli.stdout) as ResultRecord[];
    expect(items.map((i) => i.stdout.length)).toEqual([700_000]);
    // The spooled copy is gone once the result is acknowledged.
    expect(existsSync(join(fleet.dataDir.join("rel-pc-1"), "outbox", "output", r!.result_id))).toBe(false);
  });
});
