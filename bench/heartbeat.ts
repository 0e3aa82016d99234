/**
 * Heartbeat bench: N simulated agents (default 5,000) heartbeating every 5 s for 60 s against a real
 * nats-server and a real backend process. Prints one JSON line: heartbeats projected per second, the
 * backend's CPU % and RSS over the window (from /proc), and the latency of `GET /api/agents` with
 * every row.
 *
 *   npm run bench:heartbeat
 *   BENCH_AGENTS=1000 BENCH_SECONDS=30 npm run bench:heartbeat
 */
import { connect } from "@nats-io/transport-node";
import { subjects } from "@kanade/protocol";
import { cpuSeconds, memKiB, percentile, waitAgentsOnline, withBackend } from "./lib.js";

const N = Number(process.env.BENCH_AGENTS ?? 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const INTERVAL = process.env.BENCH_HEARTBEAT ?? "5s";
const TOKEN = "bench-token-0123456789abcdef-0123456789";

interface AgentRow {
  pc_id: string;
  online: boolean;
  last_seen: string | null;
}

await withBackend("kanade-bench-hb-", TOKEN, async ({ nats, api, backend, simulate }) => {
  const watcher = await connect({ servers: nats.url, name: "bench-heartbeat-counter" });
  try {
    const listAgents = async (): Promise<{ rows: AgentRow[]; ms: number }> => {
      const t0 = performance.now();
      const body = await api<{ items: AgentRow[] }>("GET", "/api/agents");
      return { rows: body.items, ms: performance.now() - t0 };
    };
    simulate(N, ["--heartbeat-interval", INTERVAL]);
    const t0 = Date.now();
    await waitAgentsOnline(api, N, { timeoutMs: 600_000, intervalMs: 1_000 });
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
  }
});
