/**
 * Host perf bench: N simulated agents publish HostPerf every second for D seconds while one fleet
 * WebSocket viewer is connected. Real nats-server, real backend process, real simulator process.
 * Prints one JSON line: samples/s stored, backend CPU % and RSS, fleet-WS frames/s, p95 latency of
 * `GET /api/perf/fleet?sort=cpu` (all rows).
 *
 *   npm run bench:perf                          # N = 500, D = 30 s
 *   BENCH_AGENTS=200 BENCH_SECONDS=10 npm run bench:perf
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import WebSocket from "ws";
import { freePort, REPO_ROOT, startNatsServer, tempDir, waitFor } from "@kanade/testkit";

const agents = Number(process.env.BENCH_AGENTS ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const TOKEN = "bench-token";
const TICKS_PER_SEC = 100;

function spawnBin(pkg: string, bin: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [`${REPO_ROOT}packages/${pkg}/bin/${bin}.js`, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once("exit", r));
  c.kill("SIGTERM");
  const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(t);
}

/** utime + stime of a process in clock ticks (fields 14 and 15 after the `(comm)` field). */
function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function fleet(base: string): Promise<{ items: unknown[]; total: number }> {
  const res = await fetch(`${base}/api/perf/fleet?sort=cpu&limit=100000`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`GET /api/perf/fleet → ${res.status}`);
  return (await res.json()) as { items: unknown[]; total: number };
}

const nats = await startNatsServer();
const dir = tempDir("kanade-bench-perf-");
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dbPath = dir.join("kanade.db");
const backend = spawnBin("backend", "kanade-backend", [], {
  KANADE_BIND_ADDR: `127.0.0.1:${port}`,
  KANADE_NATS_URL: nats.url,
  DATABASE_URL: `sqlite://${dbPath}`,
  KANADE_AUTH_STATIC_TOKEN: TOKEN,
  KANADE_LOG: "warn",
});
let sim: ChildProcess | undefined;
let ws: WebSocket | undefined;
try {
  await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), { timeoutMs: 30_000, what: "backend" });
  sim = spawnBin("agent", "kanade-agent", ["simulate", "--count", String(agents), "--host-perf-interval", "1s"], {
    KANADE_NATS_URL: nats.url,
    KANADE_AGENT_DATA_DIR: dir.join("sim"),
    KANADE_LOG: "warn",
  });
  await waitFor(async () => (await fleet(base)).total >= agents, { timeoutMs: 300_000, intervalMs: 500, what: `${agents} PCs in the fleet view` });

  let frames = 0;
  ws = new WebSocket(`ws://127.0.0.1:${port}/api/perf/fleet/live`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await new Promise<void>((resolve, reject) => {
    ws!.once("open", () => resolve());
    ws!.once("error", reject);
  });
  await new Promise((r) => setTimeout(r, 1_500)); // let the initial snapshot pass
  ws.on("message", () => (frames += 1));

  const pid = backend.pid!;
  const t0 = Date.now();
  const ticks0 = cpuTicks(pid);
  const latencies: number[] = [];
  while (Date.now() - t0 < seconds * 1000) {
    const start = performance.now();
    await fleet(base);
    latencies.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 250));
  }
  const elapsedSec = (Date.now() - t0) / 1000;
  const cpuPct = ((cpuTicks(pid) - ticks0) / TICKS_PER_SEC / elapsedSec) * 100;
  const rss = rssBytes(pid);
  const wsFrames = frames;
  await new Promise((r) => setTimeout(r, 1_500)); // let the last batch reach SQLite
  const db = new Database(dbPath, { readonly: true });
  const stored = (db.prepare("SELECT COUNT(*) AS n FROM host_perf WHERE at_ms >= ? AND at_ms < ?").get(t0, t0 + elapsedSec * 1000) as { n: number }).n;
  db.close();
  console.log(
    JSON.stringify({
      bench: "perf",
      agents,
      seconds: Math.round(elapsedSec),
      samples_per_sec_stored: Math.round(stored / elapsedSec),
      samples_per_sec_expected: agents,
      backend_cpu_pct: Math.round(cpuPct * 10) / 10,
      backend_rss_mib: Math.round(rss / 1024 / 1024),
      fleet_ws_frames_per_sec: Math.round(wsFrames / elapsedSec),
      fleet_get_requests: latencies.length,
      fleet_get_p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
      fleet_get_p95_ms: Math.round(percentile(latencies, 95) * 10) / 10,
    }),
  );
} finally {
  ws?.close();
  if (sim) await stopChild(sim);
  await stopChild(backend);
  await nats.dispose();
  dir.remove();
}
