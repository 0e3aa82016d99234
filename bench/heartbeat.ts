/**
 * Heartbeat bench: N simulated agents (default 5,000) heartbeating every 5 s for 60 s against a real
 * nats-server and a real backend process. Prints one JSON line: heartbeats projected per second, the
 * backend's CPU % and RSS over the window (from /proc), and the latency of `GET /api/agents` with
 * every row.
 *
 *   npm run bench:heartbeat
 *   BENCH_AGENTS=1000 BENCH_SECONDS=30 npm run bench:heartbeat
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { freePort, REPO_ROOT, startNatsServer, tempDir, waitFor } from "@kanade/testkit";
import { subjects } from "@kanade/protocol";

const N = Number(process.env.BENCH_AGENTS ?? 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL = process.env.BENCH_HEARTBEAT ?? "5s";
const TOKEN = "bench-token";
const CLK_TCK = 100; // Linux USER_HZ

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

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function memKiB(pid: number, key: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? NaN);
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

interface AgentRow {
  pc_id: string;
  online: boolean;
  last_seen: string | null;
}

const nats = await startNatsServer();
const dir = tempDir("kanade-bench-hb-");
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const backend = spawnBin("backend", "kanade-backend", [], {
  KANADE_BIND_ADDR: `127.0.0.1:${port}`,
  KANADE_NATS_URL: nats.url,
  DATABASE_URL: `sqlite://${dir.join("kanade.db")}`,
  KANADE_AUTH_STATIC_TOKEN: TOKEN,
  KANADE_LOG: "warn",
});
let sim: ChildProcess | undefined;
const watcher = await connect({ servers: nats.url, name: "bench-heartbeat-counter" });
try {
  await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), { timeoutMs: 30_000, what: "backend" });
  const listAgents = async (): Promise<{ rows: AgentRow[]; ms: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/agents?limit=100000`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { items: AgentRow[] };
    return { rows: body.items, ms: performance.now() - t0 };
  };
  sim = spawnBin("agent", "kanade-agent", ["simulate", "--count", String(N), "--heartbeat-interval", INTERVAL], {
    KANADE_NATS_URL: nats.url,
    KANADE_AGENT_DATA_DIR: dir.join("sim"),
    KANADE_LOG: "warn",
  });
  const t0 = Date.now();
  await waitFor(async () => (await listAgents()).rows.filter((a) => a.online).length >= N, {
    timeoutMs: 600_000,
    intervalMs: 1_000,
    what: `${N} simulated agents online`,
  });
  const fleetReadyMs = Date.now() - t0;

  // The window: count heartbeats on the wire, projected updates (last_seen changes) and list latency.
  let published = 0;
  const sub = watcher.subscribe(subjects.heartbeatAll(), {
    callback: () => {
      published += 1;
    },
  });
  const pid = backend.pid!;
  const cpu0 = cpuSeconds(pid);
  const wall0 = performance.now();
  let prev = new Map((await listAgents()).rows.map((a) => [a.pc_id, a.last_seen]));
  let projected = 0;
  const latencies: number[] = [];
  const rss: number[] = [];
  let rowsSeen = 0;
  while (performance.now() - wall0 < SECONDS * 1000) {
    const { rows, ms } = await listAgents();
    latencies.push(ms);
    rowsSeen = rows.length;
    for (const a of rows) if (prev.get(a.pc_id) !== a.last_seen) projected += 1;
    prev = new Map(rows.map((a) => [a.pc_id, a.last_seen]));
    rss.push(memKiB(pid, "VmRSS"));
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const wallS = (performance.now() - wall0) / 1000;
  const cpuPct = ((cpuSeconds(pid) - cpu0) / wallS) * 100;
  sub.unsubscribe();
  console.log(
    JSON.stringify({
      bench: "heartbeat",
      agents: N,
      heartbeat_interval: INTERVAL,
      window_s: Math.round(wallS),
      fleet_ready_ms: fleetReadyMs,
      heartbeats_published_per_s: Math.round(published / wallS),
      heartbeats_projected_per_s: Math.round(projected / wallS),
      backend_cpu_pct: Math.round(cpuPct * 10) / 10,
      backend_rss_mib: Math.round(Math.max(...rss) / 1024),
      backend_peak_rss_mib: Math.round(memKiB(pid, "VmHWM") / 1024),
      get_agents_rows: rowsSeen,
      get_agents_samples: latencies.length,
      get_agents_p50_ms: Math.round(percentile(latencies, 50)),
      get_agents_p95_ms: Math.round(percentile(latencies, 95)),
    }),
  );
} finally {
  await watcher.close();
  if (sim) await stopChild(sim);
  await stopChild(backend);
  await nats.dispose();
  dir.remove();
}
