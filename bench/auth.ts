/**
 * Lock-down bench: N simulated agents (default 5,000), each with its own broker credential minted as
 * enrollment does, against a broker started from `kanade-backend nats init`'s config and a real backend
 * process. Prints one JSON line: minting time, connect time (simulator start → every agent connected →
 * every agent online in the API), heartbeat ingest, fan-out of an `--all` exec, and what Ed25519 command
 * signing costs next to that fan-out.
 *
 *   npm run bench:auth
 *   BENCH_AGENTS=500 BENCH_RUNS=2 BENCH_SECONDS=15 npm run bench:auth
 */
import { spawn } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { connect } from "@nats-io/transport-node";
import { mintAgentJwt, openCommandSigner } from "@kanade/backend";
import { signedText, subjects } from "@kanade/protocol";
import { createNkey, formatCreds } from "@kanade/protocol/nkeys";
import { freePort, REPO_ROOT, startLockedNatsServer, tempDir, waitFor } from "@kanade/testkit";
import type { SignatureCheckMode } from "../packages/agent/src/simulate/signature-check-mode.js";
import { apiClient, backendCommandKeys, cpuSeconds, percentile, spawnBin, stopChild, waitAgentsOnline } from "./lib.js";

const step = (what: string): void => void (process.env.BENCH_VERBOSE && process.stderr.write(`bench:auth: ${what}\n`));
const N = Number(process.env.BENCH_AGENTS ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const INTERVAL = "5s";
const TOKEN = "bench-token-0123456789abcdef-0123456789";

/** Microseconds per call of `fn`, over `n` calls. */
function perCallUs(n: number, fn: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

/** What signing one command and verifying it costs (the backend signs once per subject; each agent verifies once). */
function signingCost(): { sign_us: number; verify_us: number } {
  const dir = tempDir("kanade-bench-sign-");
  try {
    const signer = openCommandSigner(dir.path);
    const cmd = { request_id: "r", exec_id: "e", job_id: "bench-echo", version: "1.0.0", shell: "sh", script: "echo hi", timeout_secs: 60, target: { kind: "all" }, issued_at: new Date().toISOString(), issued_by: "bench" };
    const sign_us = perCallUs(2_000, () => signer.sign("command", cmd));
    const sig = signer.sign("command", cmd);
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: signer.trusted()[0]!.public_key }, format: "jwk" });
    // The agent rebuilds the signed text from the message it received, then verifies.
    const verify_us = perCallUs(2_000, () => verify(null, Buffer.from(signedText("command", cmd), "utf8"), key, Buffer.from(sig.sig, "base64url")));
    return { sign_us: Math.round(sign_us * 10) / 10, verify_us: Math.round(verify_us * 10) / 10 };
  } finally {
    dir.remove();
  }
}

const broker = await startLockedNatsServer();
const dir = tempDir("kanade-bench-auth-");
const children: ReturnType<typeof spawn>[] = [];
try {
  // Credentials as accepting N join requests mints them: one key pair per agent, one JWT each.
  const credsDir = dir.join("creds");
  mkdirSync(credsDir, { recursive: true });
  const m0 = performance.now();
  for (let i = 1; i <= N; i++) {
    const pc = `sim-${String(i).padStart(4, "0")}`;
    const key = createNkey("user");
    writeFileSync(join(credsDir, `${pc}.creds`), formatCreds(mintAgentJwt(broker.material, pc, key.publicKey), key.seed), { mode: 0o600 });
  }
  const mintMs = performance.now() - m0;
  copyFileSync(join(broker.authDir, "admin.creds"), join(credsDir, "views.creds"));

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dbPath = dir.join("kanade.db");
  const backend = spawnBin("backend", "kanade-backend", [], {
    KANADE_BIND_ADDR: `127.0.0.1:${port}`,
    KANADE_NATS_URL: broker.url,
    KANADE_NATS_AUTH_DIR: broker.authDir,
    DATABASE_URL: `sqlite://${dbPath}`,
    KANADE_AUTH_STATIC_TOKEN: TOKEN,
    KANADE_LOG: "warn",
  });
  children.push(backend);
  await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), { timeoutMs: 30_000, what: "backend" });
  const api = apiClient(base, TOKEN);
  step("backend up");

  // "simulated fleet ready" in the simulator's log: every agent is connected and subscribed.
  let sim: ReturnType<typeof spawn> | undefined;
  const startSim = (mode: SignatureCheckMode): Promise<number> => {
    const t = performance.now();
    const child = spawn(
      process.execPath,
      [`${REPO_ROOT}packages/agent/bin/kanade-agent.js`, "simulate", "--count", String(N), "--heartbeat-interval", INTERVAL, "--creds-dir", credsDir, "--signature-check", mode],
      {
        env: { ...process.env, KANADE_NATS_URL: broker.url, KANADE_AGENT_DATA_DIR: dir.join("sim"), KANADE_LOG: "info", KANADE_COMMAND_KEYS: backendCommandKeys(dbPath) },
        // The agent logs (pino) to stderr.
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    sim = child;
    children.push(child);
    return new Promise<number>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`simulator (${mode}) exited with ${code} before it was ready`)));
      createInterface({ input: child.stderr! }).on("line", (line) => {
        if (process.env.BENCH_VERBOSE && !line.includes('"level":30')) process.stderr.write(`${line}\n`);
        if (line.includes("simulated fleet ready")) resolve(performance.now() - t);
      });
    });
  };
  const t0 = performance.now();
  const connected = startSim("memo");
  const connectMs = await connected;
  step("connected");
  await waitAgentsOnline(api, N, { timeoutMs: 600_000, intervalMs: 1_000 });
  const onlineMs = performance.now() - t0;
  step("online");

  // Heartbeat ingest over the window: on the wire (counted with the break-glass credential) and projected.
  const watcher = await connect({ servers: broker.url, authenticator: broker.creds("admin.creds") });
  let published = 0;
  const sub = watcher.subscribe(subjects.heartbeatAll(), { callback: () => void (published += 1) });
  const list = async (): Promise<Map<string, string | null>> =>
    new Map((await api<{ items: { pc_id: string; last_seen: string | null }[] }>("GET", "/api/agents")).items.map((a) => [a.pc_id, a.last_seen]));
  const cpu0 = cpuSeconds(backend.pid!);
  const w0 = performance.now();
  let prev = await list();
  let projected = 0;
  while (performance.now() - w0 < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await list();
    for (const [pc, seen] of now) if (prev.get(pc) !== seen) projected += 1;
    prev = now;
  }
  const windowS = (performance.now() - w0) / 1000;
  const backendCpuPct = ((cpuSeconds(backend.pid!) - cpu0) / windowS) * 100;
  sub.unsubscribe();
  await watcher.close();

  // Fan-out, as `npm run bench` measures it: POST /api/exec --all until every result is visible. Run with
  // the simulator checking signatures as the fleet does (memo: one verify per distinct command, as N PCs
  // verifying in parallel cost one verify of latency), with no check at all (what signing costs = the
  // difference; the backend signs in both), and with every PC verifying its copy one after another in this
  // one process (the worst case, a cost the fleet never pays). Phases alternate so load drift hits all modes.
  await api("POST", "/api/jobs", "id: bench-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n", "application/yaml");
  const times: Record<SignatureCheckMode, number[]> = { memo: [], off: [], each: [] };
  const phases = (process.env.BENCH_SIGNING_PHASES ?? "memo,off,each,memo,off").split(",") as SignatureCheckMode[];
  for (const [p, mode] of phases.entries()) {
    if (p > 0) {
      await stopChild(sim!);
      await startSim(mode);
    }
    step(`fan-out phase ${p + 1}/${phases.length}: signature check ${mode}`);
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/bench-echo", { all: true });
      await waitFor(async () => (await api<{ counts: { done: number } }>("GET", `/api/executions/${exec_id}?rows=false`)).counts.done >= N, {
        timeoutMs: 300_000,
        intervalMs: 10,
        what: `all ${N} results of run ${i + 1} (${mode})`,
      });
      times[mode].push(performance.now() - start);
    }
  }
  const median = percentile(times.memo, 50);
  const medianOf = (mode: SignatureCheckMode): number | null => (times[mode].length ? Math.round(percentile(times[mode], 50)) : null);
  const off = medianOf("off");
  const cost = signingCost();
  console.log(
    JSON.stringify({
      bench: "auth",
      agents: N,
      credentials_minted_ms: Math.round(mintMs),
      connect_all_ms: Math.round(connectMs),
      all_online_ms: Math.round(onlineMs),
      heartbeat_interval: INTERVAL,
      window_s: Math.round(windowS),
      heartbeats_published_per_s: Math.round(published / windowS),
      heartbeats_projected_per_s: Math.round(projected / windowS),
      backend_cpu_pct: Math.round(backendCpuPct * 10) / 10,
      fanout_runs_per_phase: RUNS,
      fanout_phases: phases,
      fanout_median_ms: Math.round(median),
      fanout_p95_ms: Math.round(percentile(times.memo, 95)),
      // Signing on (the fleet's check) vs off, measured side by side: the "must not cost more than 10 %".
      fanout_signing_off_median_ms: off,
      fanout_signing_on_off_ratio: off ? Math.round((median / off) * 100) / 100 : null,
      fanout_verify_each_serial_median_ms: medianOf("each"),
      ...cost,
      // On real PCs each agent verifies its own copy in parallel: one sign + one verify on the critical path.
      signing_overhead_pct: Math.round(((cost.sign_us + cost.verify_us) / 1000 / median) * 1000) / 10,
      // All N verifies in this one simulator process, one after another: the worst case for the bench itself.
      simulator_serial_verify_ms: Math.round((cost.verify_us * N) / 1000),
      simulator_serial_verify_pct: Math.round(((cost.verify_us * N) / 1000 / median) * 1000) / 10,
    }),
  );
} finally {
  if (process.env.BENCH_VERBOSE) process.stderr.write(broker.server.output().split("\n").filter((l) => /Violation|\[ERR\]/.test(l)).slice(0, 20).join("\n"));
  for (const c of children.reverse()) await stopChild(c);
  await broker.dispose();
  dir.remove();
}
