/**
 * Fan-out bench: time from `POST /api/exec` to the moment all N results are visible through
 * `GET /api/executions/{id}`, for N simulated agents. Real nats-server, real backend process, real
 * simulator process (`kanade-agent simulate`). Prints one JSON line.
 *
 *   npm run bench                      # N = 1000 and 5000, 5 runs each
 *   BENCH_SIZES=200 BENCH_RUNS=3 npm run bench
 */
import { waitFor } from "@kanade/testkit";
import { percentile, waitAgentsOnline, withBackend } from "./lib.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = "bench-token-0123456789abcdef-0123456789";

interface Figures {
  agents: number;
  runs: number;
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  fleet_ready_ms: number;
}

function measure(n: number): Promise<Figures> {
  return withBackend("kanade-bench-", TOKEN, async ({ api, simulate }) => {
    const t0 = Date.now();
    simulate(n);
    await waitAgentsOnline(api, n, { timeoutMs: 300_000, intervalMs: 500 });
    const fleetReady = Date.now() - t0;
    await api("POST", "/api/jobs", "id: bench-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n", "application/yaml");
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/bench-echo", { all: true });
      await waitFor(
        async () => {
          const ex = await api<{ counts: { done: number } }>("GET", `/api/executions/${exec_id}?rows=false`);
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
  });
}

const results: Figures[] = [];
for (const n of sizes) results.push(await measure(n));
console.log(JSON.stringify({ bench: "fanout", results }));
