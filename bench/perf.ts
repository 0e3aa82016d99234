/**
 * Host perf bench: N simulated agents publish HostPerf every second for D seconds while one fleet
 * WebSocket viewer is connected. Real nats-server, real backend process, real simulator process.
 * Prints one JSON line: samples/s stored, backend CPU % and RSS, fleet-WS frames/s, p95 latency of
 * `GET /api/perf/fleet?sort=cpu` (all rows).
 *
 *   npm run bench:perf                          # N = 500, D = 30 s
 *   BENCH_AGENTS=200 BENCH_SECONDS=10 npm run bench:perf
 */
import { DatabaseSync } from "node:sqlite";
import WebSocket from "ws";
import { waitFor } from "@kanade/testkit";
import { cpuSeconds, memKiB, percentile, withBackend } from "./lib.js";

const agents = Number(process.env.BENCH_AGENTS ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const TOKEN = "bench-token-0123456789abcdef-0123456789";

await withBackend("kanade-bench-perf-", TOKEN, async ({ port, api, backend, dbPath, simulate }) => {
  const fleet = (): Promise<{ items: unknown[]; total: number }> => api("GET", "/api/perf/fleet?sort=cpu&limit=100000");
  let ws: WebSocket | undefined;
  try {
    simulate(agents, ["--host-perf-interval", "1s"]);
    await waitFor(async () => (await fleet()).total >= agents, { timeoutMs: 300_000, intervalMs: 500, what: `${agents} PCs in the fleet view` });

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
    const cpu0 = cpuSeconds(pid);
    const latencies: number[] = [];
    while (Date.now() - t0 < seconds * 1000) {
      const start = performance.now();
      await fleet();
      latencies.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 250));
    }
    const elapsedSec = (Date.now() - t0) / 1000;
    const cpuPct = ((cpuSeconds(pid) - cpu0) / elapsedSec) * 100;
    const rssKiB = memKiB(pid, "VmRSS");
    const wsFrames = frames;
    await new Promise((r) => setTimeout(r, 1_500)); // let the last batch reach SQLite
    const db = new DatabaseSync(dbPath, { readOnly: true });
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
        backend_rss_mib: Math.round(rssKiB / 1024),
        fleet_ws_frames_per_sec: Math.round(wsFrames / elapsedSec),
        fleet_get_requests: latencies.length,
        fleet_get_p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
        fleet_get_p95_ms: Math.round(percentile(latencies, 95) * 10) / 10,
      }),
    );
  } finally {
    ws?.close();
  }
});
