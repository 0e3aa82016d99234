/**
 * Fan-out bench: time from `POST /api/exec` to the moment all N results are visible through
 * `GET /api/executions/{id}`, for N simulated agents. Real nats-server, real backend process, real
 * simulator process (`kanade-agent simulate`). Prints one JSON line.
 *
 *   npm run bench                      # N = 1000 and 5000, 5 runs each
 *   BENCH_SIZES=200 BENCH_RUNS=3 npm run bench
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort, REPO_ROOT, startNatsServer, tempDir, waitFor } from "@kanade/testkit";

const sizes = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = "bench-token";

interface Figures {
  agents: number;
  runs: number;
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  fleet_ready_ms: number;
}

function spawnBin(pkg: string, bin: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [`${REPO_ROOT}packages/${pkg}/bin/${bin}.js`, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
  return child;
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once("exit", r));
  c.kill("SIGTERM");
  const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(t);
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function api<T>(base: string, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": contentType }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function measure(n: number): Promise<Figures> {
  const nats = await startNatsServer();
  const dir = tempDir("kanade-bench-");
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
  try {
    await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), { timeoutMs: 30_000, what: "backend" });
    const t0 = Date.now();
    sim = spawnBin("agent", "kanade-agent", ["simulate", "--count", String(n)], {
      KANADE_NATS_URL: nats.url,
      KANADE_AGENT_DATA_DIR: dir.join("sim"),
      KANADE_LOG: "warn",
    });
    await waitFor(
      async () => {
        const online = await api<{ items: { online: boolean }[] }>(base, "GET", "/api/agents?limit=100000");
        return online.items.filter((a) => a.online).length >= n;
      },
      { timeoutMs: 300_000, intervalMs: 500, what: `${n} simulated agents online` },
    );
    const fleetReady = Date.now() - t0;
    await api(base, "POST", "/api/jobs", "id: bench-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n", "application/yaml");
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const { exec_id } = await api<{ exec_id: string }>(base, "POST", "/api/exec/bench-echo", { all: true });
      await waitFor(
        async () => {
          const ex = await api<{ counts: { done: number } }>(base, "GET", `/api/executions/${exec_id}?rows=false`);
          return ex.counts.done >= n;
        },
        { timeoutMs: 300_000, intervalMs: 10, what: `all ${n} results of run ${i + 1}` },
      );
      times.push(performance.now() - start);
    }
    return {
      agents: n,
      runs,
      median_ms: Math.round(percentile(times, 50)),
      p95_ms: Math.round(percentile(times, 95)),
      min_ms: Math.round(Math.min(...times)),
      max_ms: Math.round(Math.max(...times)),
      fleet_ready_ms: fleetReady,
    };
  } finally {
    if (sim) await stopChild(sim);
    await stopChild(backend);
    await nats.dispose();
    dir.remove();
  }
}

const results: Figures[] = [];
for (const n of sizes) results.push(await measure(n));
console.log(JSON.stringify({ bench: "fanout", results }));
