/**
 * The Windows agent, for real, under Wine (`npm run smoke:windows`, which installs Wine, builds the release
 * and sets KANADE_SMOKE_WINDOWS=1; skipped otherwise). `dist/kanade-agent.exe` runs against a loopback
 * nats-server locked down as `kanade-backend nats init` leaves it (per-agent JWTs) and the Linux backend
 * executable (`dist/kanade-backend-linux-x64`): it prints its version, enrolls with the enrollment token and
 * credential deploy/agent.ps1 stores in the registry (HKLM\SOFTWARE\Kanade\agent, EnrollToken and
 * EnrollCreds — nothing else gives them to it), keeps its new private key in that key (AgentSeed), comes
 * online, runs a `cmd` job (exit code 3, exact stdout), and updates itself to a newer build (exit 64,
 * restarted as WinSW would) and comes back on the new version with the same enrolled identity.
 *
 * What Wine cannot prove, and this test therefore leaves out (it says nothing about real Windows there):
 * - killing a process tree and timeouts (Wine 8's `taskkill` has no `/T`);
 * - anything through PowerShell or CIM (Wine's `powershell.exe` is a stub that exits 0): PowerShell jobs,
 *   hardware/OS inventory, disk and network counters;
 * - non-ASCII text in `cmd` scripts (Wine's `cmd` reads batch files in the OEM code page, ignoring chcp);
 * - the service wrapper and the SCM (WinSW is .NET; the test restarts the agent on a non-zero exit itself);
 * - KLP's named pipe: its relay is a PowerShell script, and Wine's stub exits at once; the test checks only
 *   that the agent says `klp: relay unavailable` and carries on.
 *
 * Wine 8 (Debian 12) also lacks MEM_RESERVE_PLACEHOLDER, which V8 in Node 24 uses whenever kernelbase
 * exports VirtualAlloc2 (every supported Windows does, and has placeholders): the exes run here are copies
 * with that one lookup renamed (`forWine`), so V8 takes its own fallback for Windows without VirtualAlloc2.
 * The shipped files in dist/ are not changed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH_FILES, freePort, runCli, startLockedNatsServer, tempDir, testCommandKeys, waitFor, type LockedNats, type TempDir } from "@kanade/testkit";
import { spawnLogged, type LoggedChild } from "./spawn-logged.js";

const enabled = process.env.KANADE_SMOKE_WINDOWS === "1";
const repo = join(import.meta.dirname, "../../..");
const PC = "wine-pc";
const TOKEN = "smoke-token-0123456789abcdef-0123456789";
const agentVersion = (JSON.parse(readFileSync(join(repo, "packages/agent/package.json"), "utf8")) as { version: string }).version;
const NEXT = `${agentVersion.split(".").slice(0, 2).join(".")}.${Number(agentVersion.split(".")[2] ?? 0) + 1}`;

/** A copy of `exe` whose V8 does not see VirtualAlloc2 (see the header): Wine 8 cannot reserve placeholders. */
function forWine(exe: string, out: string): string {
  mkdirSync(dirname(out), { recursive: true });
  const bytes = readFileSync(exe);
  const at = bytes.indexOf(Buffer.from("VirtualAlloc2\0", "latin1"));
  if (at < 0 || bytes.indexOf(Buffer.from("VirtualAlloc2\0", "latin1"), at + 1) >= 0) throw new Error(`${exe}: expected exactly one "VirtualAlloc2" lookup`);
  bytes.write("VirtualAllocZ", at, "latin1");
  writeFileSync(out, bytes);
  return out;
}

/** `Z:` is Wine's view of the Unix root. */
const winPath = (unix: string): string => `Z:${unix.replaceAll("/", "\\")}`;

let dir: TempDir;
let nats: LockedNats;
let backend: LoggedChild;
let base: string;
let wineEnv: NodeJS.ProcessEnv;
let agentExe: string;
let agent: { child?: ChildProcess; exits: number[]; stopped: boolean } | undefined;

/** Runs a Windows program under Wine with stdout/stderr in files (Node under Wine dies on a pipe: `open EBADF`). */
function wine(args: string[], name: string, timeout = 120_000): { status: number | null; stdout: string; stderr: string } {
  const out = dir.join(`${name}.out`);
  const err = dir.join(`${name}.err`);
  const [o, e] = [openSync(out, "w"), openSync(err, "w")];
  try {
    const r = spawnSync("wine", args, { env: wineEnv, stdio: ["ignore", o, e], timeout });
    return { status: r.status, stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8") };
  } finally {
    closeSync(o);
    closeSync(e);
  }
}

/** The agent under Wine, started again after any non-zero exit (as the service's recovery actions do). */
function superviseAgent(env: NodeJS.ProcessEnv): NonNullable<typeof agent> {
  const state: NonNullable<typeof agent> = { exits: [], stopped: false };
  const start = (): void => {
    const log = openSync(dir.join("agent.log"), "a");
    const child = spawn("wine", [agentExe], { env, stdio: ["ignore", log, log] });
    closeSync(log);
    state.child = child;
    child.once("exit", (code) => {
      state.exits.push(code ?? -1);
      if (!state.stopped && code !== 0) setTimeout(start, 500);
    });
  };
  start();
  return state;
}

async function api<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": contentType }) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  }).catch((err: unknown) => {
    throw new Error(`${method} ${path}: ${String(err)}; the backend said: ${backend.output()}`);
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the failure message
  }
  return { status: res.status, body: parsed as T };
}

interface AgentView {
  agent_version: string;
  online: boolean;
}
const agentView = async (): Promise<AgentView | undefined> => {
  const r = await api<AgentView>("GET", `/api/agents/${PC}`);
  return r.status === 200 ? r.body : undefined;
};
const agentLog = (): string => (existsSync(dir.join("agent.log")) ? readFileSync(dir.join("agent.log"), "utf8").slice(-3000) : "");

describe.skipIf(!enabled)("the Windows agent under Wine", () => {
  beforeAll(async () => {
    dir = tempDir("kanade-wine-");
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KANADE_")));
    wineEnv = { ...env, WINEPREFIX: dir.join("prefix"), WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree=;mshtml=" };
    // A fresh prefix says Windows 7, and Node refuses to start below 8.1.
    expect(wine(["wineboot", "--init"], "wineboot", 300_000).status).toBe(0);
    expect(wine(["winecfg", "-v", "win10"], "winecfg").status).toBe(0);
    spawnSync("wineserver", ["-w"], { env: wineEnv, stdio: "ignore", timeout: 120_000 });
    agentExe = forWine(join(repo, "dist/kanade-agent.exe"), dir.join("kanade-agent.exe"));

    nats = await startLockedNatsServer();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    backend = spawnLogged(join(repo, "dist/kanade-backend-linux-x64"), [], {
      env: {
        ...env,
        KANADE_BIND_ADDR: `127.0.0.1:${port}`,
        KANADE_NATS_URL: nats.url,
        KANADE_NATS_AUTH_DIR: nats.authDir,
        DATABASE_URL: `sqlite://${dir.join("kanade.db")}`,
        KANADE_AUTH_STATIC_TOKEN: TOKEN,
        KANADE_LOG: "info",
        ...testCommandKeys().backendEnv,
      },
    });
    await waitFor(() => fetch(`${base}/health`).then((r) => r.ok, () => false), { timeoutMs: 30_000, what: `the backend (${backend.output()})` });
  }, 600_000);

  afterAll(async () => {
    if (agent) agent.stopped = true;
    // Ends every Windows process of this prefix (the agent and any script it runs).
    if (wineEnv) spawnSync("wineserver", ["-k"], { env: wineEnv, stdio: "ignore", timeout: 30_000 });
    await backend?.stop();
    await nats?.dispose();
    dir?.remove();
  }, 120_000);

  it("prints its version and the Node inside", () => {
    const r = wine([agentExe, "--version"], "version");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${agentVersion} (node ${process.version})`);
  });

  it("enrolls with the registry's EnrollToken and EnrollCreds, keeps its key in AgentSeed, and comes online", async () => {
    const token = await api<{ token: string }>("POST", "/api/enroll-tokens", { uses: 1, expires: "1h" });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const key = "HKLM\\SOFTWARE\\Kanade\\agent";
    for (const [name, value] of [
      ["EnrollToken", token.body.token],
      ["EnrollCreds", winPath(join(nats.authDir, AUTH_FILES.enrollCreds))],
    ] as const) {
      const reg = wine(["reg", "add", key, "/v", name, "/t", "REG_SZ", "/d", value, "/f"], `reg-add-${name}`);
      expect(reg.status, reg.stderr).toBe(0);
    }
    // No KANADE_ENROLL_* and no NATS credential here: the locked-down broker refuses the agent unless it
    // enrolls with what the registry holds.
    agent = superviseAgent({
      ...wineEnv,
      KANADE_NATS_URL: nats.url,
      KANADE_AGENT_ID: PC,
      KANADE_AGENT_DATA_DIR: winPath(dir.join("data")),
      KANADE_LOG: "info",
      ...testCommandKeys().agentEnv,
    });
    const view = await waitFor(async () => ((await agentView())?.online ? agentView() : undefined), { timeoutMs: 120_000, intervalMs: 1_000, what: `the agent online (${agentLog()})` });
    expect(view).toMatchObject({ agent_version: agentVersion, online: true });
    const enrollment = await api<{ items: { pc_id: string; state: string }[] }>("GET", "/api/enrollments");
    expect(enrollment.body.items.find((e) => e.pc_id === PC)).toMatchObject({ state: "accepted" });
    // The private key lives in the registry (not in the data dir), as on Windows.
    const seed = wine(["reg", "query", key, "/v", "AgentSeed"], "reg-query-seed");
    expect(seed.status, seed.stderr).toBe(0);
    expect(seed.stdout).toMatch(/AgentSeed\s+REG_SZ\s+SU[A-Z2-7]{56}/);
    expect(existsSync(join(dir.join("data"), "state", "agent.nk"))).toBe(false);
  }, 180_000);

  it("KLP: the relay cannot start under Wine (its powershell.exe is a stub); the agent logs `klp: relay unavailable` and carries on", async () => {
    const log = (): string => readFileSync(dir.join("agent.log"), "utf8");
    await waitFor(() => log().includes("klp: relay unavailable"), { timeoutMs: 60_000, what: `"klp: relay unavailable" in the agent's log (${agentLog()})` });
    const line = log().split("\n").find((l) => l.includes("klp: relay unavailable"))!;
    expect(JSON.parse(line)).toMatchObject({ pipe: "\\\\.\\pipe\\kanade-agent", retry_in_ms: 5_000 });
    expect(log()).not.toContain("klp: named pipe ready");
    expect(await agentView()).toMatchObject({ online: true });
  }, 90_000);

  let cmdResult: { exit_code: number; stdout: string } | undefined;
  it("runs a cmd job: exit code 3, what the script printed, and KANADE_PC_ID set", async () => {
    const job = "id: wine-cmd\nversion: 1.0.0\nexecute:\n  shell: cmd\n  script: |\n    echo hello from cmd\n    echo %KANADE_PC_ID%\n    exit /b 3\n  timeout: 60s\n";
    expect((await api("POST", "/api/jobs", job, "application/yaml")).status).toBe(201);
    const exec = await api<{ exec_id: string }>("POST", "/api/exec/wine-cmd", { pcs: [PC] });
    expect(exec.status).toBe(202);
    const row = await waitFor(
      async () => {
        const r = await api<{ rows: { result_id: string | null }[] }>("GET", `/api/executions/${exec.body.exec_id}`);
        return r.body.rows[0]?.result_id ? r.body.rows[0] : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000, what: `the cmd job's result (${agentLog()})` },
    );
    cmdResult = (await api<{ exit_code: number; stdout: string }>("GET", `/api/results/${row.result_id}`)).body;
    expect(cmdResult.exit_code).toBe(3);
    const printed = cmdResult.stdout.split("\r\n").filter((l) => l !== "" && !l.includes(">"));
    expect(printed).toEqual(["hello from cmd", PC]);
  }, 180_000);

  // The staged cmd script starts with `@echo off` (exec/launcher.ts): without it cmd would echo every
  // command line (`Z:\…>echo hello from cmd`) into stdout.
  it("the cmd job's stdout is exactly what the script printed, no echoed command lines", () => {
    expect(cmdResult?.stdout).toBe(`hello from cmd\r\n${PC}\r\n`);
  });

  it("updates itself to a newer build: exit 64, restarted, back online on the new version", async () => {
    const built = join(dir.path, `kanade-agent-${NEXT}.exe`);
    const b = spawnSync(process.execPath, ["scripts/build-release.mjs", "--windows-agent", built, "--version", NEXT], { cwd: repo, encoding: "utf8" });
    expect(b.status, b.stderr).toBe(0);
    const wineBuild = forWine(built, join(dir.path, "next", "kanade-agent.exe"));
    const next = readFileSync(wineBuild);
    // As an operator publishes it: the CLI reads the version from the exe's VERSIONINFO and streams it up.
    const pub = await runCli(["agent", "publish", wineBuild], { backendUrl: base, token: TOKEN, timeoutMs: 300_000 });
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toContain(`published agent ${NEXT} for windows-x64`);
    expect((await api("POST", "/api/agent-rollout", { version: NEXT, pcs: [PC] })).status).toBe(200);
    await waitFor(async () => (await agentView())?.agent_version === NEXT || undefined, { timeoutMs: 240_000, intervalMs: 1_000, what: `the agent on ${NEXT} (${agentLog()})` });
    expect(agent?.exits).toEqual([64]);
    expect(readFileSync(agentExe).equals(next)).toBe(true);
    await waitFor(() => !existsSync(`${agentExe}.old`) || undefined, { timeoutMs: 60_000, what: "the new process to remove kanade-agent.exe.old" });
    const r = wine([agentExe, "--version"], "version-next");
    expect(r.stdout.trim()).toBe(`${NEXT} (node ${process.version})`);
  }, 600_000);
});
