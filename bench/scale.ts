/**
 * Scale bench (issue #16): N simulated agents (default 50,000), each with its own NATS connection, in
 * as few simulator processes as the file-descriptor limit allows (20,000 a process on this machine: up to 17,000
 * agents each, so three), against backends on PostgreSQL and a three-node nats-server cluster on loopback (one node cannot
 * hold 50,000 connections under that limit). Prints one JSON line with the figures and, for each goal of
 * the issue, whether it was met:
 *
 * - all N online: a heartbeat of each projected into the database since the simulators started (counted in
 *   the database every second, not through the API, whose answer at 50,000 rows would load the backend) — goal ≤ 60 s;
 * - each backend's RSS, sampled every second from the first connection to the end — goal ≤ 1 GiB;
 * - heartbeat ingest lag: for a sample of PCs, from the heartbeat on the wire (a watcher connection) to the
 *   database row showing it (polled every 200 ms) — goal p95 ≤ 1 s;
 * - `GET /api/agents` first page (`limit=500`, sampled every 2 s during the window) and a full walk
 *   (`limit=1000` pages, following `next_cursor`) — goal p95 ≤ 150 ms per page;
 * - an exec to every agent, POST to all N results visible through `GET /api/executions/{id}` — goal ≤ 1.5× the
 *   floor measured first in the same run (bench/scale-floor.ts: the same number of connections on the same
 *   nodes, results through a JetStream pull consumer into the same database engine in batches).
 * Broker nodes: RSS, open descriptors and connections each, to show where the first limit is.
 *
 *   npm run bench:scale                                  # 50,000 agents, 3 nodes R1, 1 backend, PostgreSQL
 *   BENCH_AGENTS=5000 npm run bench:scale
 *   BENCH_SHAPE=ha npm run bench:scale                   # 3 nodes with R3 streams, 2 backends
 *   BENCH_NODES=1 BENCH_DB=sqlite BENCH_AGENTS=10000 npm run bench:scale
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { jetstreamManager } from "@nats-io/jetstream";
import { STREAMS, subjects } from "@kanade/protocol";
import { sleep, waitFor } from "@kanade/testkit";
import { cpuSeconds, memKiB, percentile, type Api } from "./lib.js";
import { split, startScaleFloor } from "./scale-floor.js";
import { openFds, startStack, type Stack, type StackShape } from "./scale-stack.js";

const N = Number(process.env.BENCH_AGENTS ?? 50_000);
/**
 * Agents per simulator process (the floor's agents are split the same way). Fewer processes leave the brokers more
 * of the two cores: at 50,000, four simulators of 12,500 made the fan-out 13–16 s, three of 16,667 11 s, eight
 * 20 s; each process counts as one more runnable task beside the three brokers.
 */
const PER_PROCESS = 17_000;
const PROCESSES = Number(process.env.BENCH_SIMULATORS ?? Math.max(1, Math.ceil(N / PER_PROCESS)));
const HA = process.env.BENCH_SHAPE === "ha";
const shape: StackShape = {
  nodes: Number(process.env.BENCH_NODES ?? (HA || N > 15_000 ? 3 : 1)) === 3 ? 3 : 1,
  replicas: Number(process.env.BENCH_REPLICAS ?? (HA ? 3 : 1)) === 3 ? 3 : 1,
  backends: Number(process.env.BENCH_BACKENDS ?? (HA ? 2 : 1)),
  db: process.env.BENCH_DB === "sqlite" ? "sqlite" : "postgres",
};
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 60);
const FLOOR_RUNS = Number(process.env.BENCH_FLOOR_RUNS ?? 2);
const EXEC_RUNS = Number(process.env.BENCH_EXEC_RUNS ?? 2);
const LAG_SAMPLE_EVERY = Math.max(1, Math.floor(N / 250));
const TOKEN = "bench-token-scale-0123456789abcdef";
const TIMEOUT_MS = 900_000;
/** `BENCH_VERBOSE=1`: each exec poll logs how many results the stream holds against how many are projected. */
const VERBOSE = Boolean(process.env.BENCH_VERBOSE);
const GOALS = { online_ms: 60_000, backend_rss_mib: 1024, hb_lag_p95_ms: 1_000, page_p95_ms: 150, exec_over_floor: 1.5 };

/** With `BENCH_CPU_PROF=<dir>`, each exec run's span is written for bench/profile-top.ts (V8's monotonic clock, µs). */
const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
const markProfileWindow = (side: string, startUs: number): void => {
  const dir = process.env.BENCH_CPU_PROF;
  if (dir) appendFileSync(join(dir, "windows.jsonl"), `${JSON.stringify({ side, agents: N, start_us: startUs, end_us: monoUs() })}\n`);
};
const round = (x: number, d = 0): number => Math.round(x * 10 ** d) / 10 ** d;
const mib = (kib: number): number => round(kib / 1024, 1);
const log = (msg: string): void => void process.stderr.write(`[bench:scale] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);

/** Reads `last_seen` of some PCs straight from the database (the API would add its own cost to the probe). */
interface RowProbe {
  lastSeen(pcs: readonly string[]): Promise<Map<string, string>>;
  /** Agents whose heartbeat was projected at or after `since` (ISO). */
  seenSince(since: string): Promise<number>;
  /** Their ids. */
  idsSeenSince(since: string): Promise<Set<string>>;
  close(): Promise<void>;
}

async function rowProbe(dbUrl: string): Promise<RowProbe> {
  if (dbUrl.startsWith("postgres://")) {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    return {
      lastSeen: async (pcs) => new Map((await c.query<{ pc_id: string; last_seen: string }>("SELECT pc_id, last_seen FROM agents WHERE pc_id = ANY($1)", [pcs])).rows.map((r) => [r.pc_id, String(r.last_seen)])),
      seenSince: async (since) => Number((await c.query<{ n: string }>("SELECT COUNT(*) AS n FROM agents WHERE last_seen >= $1", [since])).rows[0]!.n),
      idsSeenSince: async (since) => new Set((await c.query<{ pc_id: string }>("SELECT pc_id FROM agents WHERE last_seen >= $1", [since])).rows.map((r) => r.pc_id)),
      close: () => c.end(),
    };
  }
  const db = new DatabaseSync(dbUrl.slice("sqlite://".length), { readOnly: true });
  return {
    lastSeen: async (pcs) =>
      new Map((db.prepare(`SELECT pc_id, last_seen FROM agents WHERE pc_id IN (${pcs.map(() => "?").join(",")})`).all(...pcs) as { pc_id: string; last_seen: string }[]).map((r) => [r.pc_id, r.last_seen])),
    seenSince: async (since) => Number((db.prepare("SELECT COUNT(*) AS n FROM agents WHERE last_seen >= ?").get(since) as { n: number }).n),
    idsSeenSince: async (since) => new Set((db.prepare("SELECT pc_id FROM agents WHERE last_seen >= ?").all(since) as { pc_id: string }[]).map((r) => r.pc_id)),
    close: async () => db.close(),
  };
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

/** One walk of `GET /api/agents` in pages of `limit`: the time of each page and the agents seen. */
async function walkAgents(api: Api, limit: number): Promise<{ pages: number[]; rows: number; online: number }> {
  const pages: number[] = [];
  let rows = 0;
  let online = 0;
  let cursor: string | null = null;
  do {
    const path: string = `/api/agents?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { value, ms } = await timed(() => api<{ items: { online: boolean }[]; next_cursor: string | null }>("GET", path));
    pages.push(ms);
    rows += value.items.length;
    online += value.items.filter((a) => a.online).length;
    cursor = value.next_cursor;
  } while (cursor);
  return { pages, rows, online };
}

const stats = (xs: readonly number[]): { samples: number; p50: number; p95: number; max: number } => ({
  samples: xs.length,
  p50: round(percentile(xs, 50)),
  p95: round(percentile(xs, 95)),
  max: round(xs.length ? Math.max(...xs) : NaN),
});

async function measure(stack: Stack): Promise<Record<string, unknown>> {
  // ---- the floor, on the same nodes, before any agent connects (the two fleets would not fit at once) ----
  const floorRuns: number[] = [];
  let floorConnectMs = NaN;
  if (FLOOR_RUNS > 0) {
    log(`floor: ${N} connections in ${PROCESSES} processes`);
    const floor = await startScaleFloor({ urls: stack.urls, n: N, processes: PROCESSES, replicas: shape.replicas, db: stack.floorDb() });
    floorConnectMs = floor.connectMs;
    try {
      for (let i = 0; i < FLOOR_RUNS; i++) floorRuns.push(await floor.run());
    } finally {
      await floor.stop();
    }
  }
  const floorMs = percentile(floorRuns, 50);
  log(`floor: ${floorRuns.map((x) => Math.round(x)).join(", ")} ms`);

  await stack.startBackends(TOKEN);
  const api = stack.backends[0]!.api;
  const rss = stack.backends.map(() => 0);
  const sampleRss = (): void => stack.backends.forEach((b, i) => (rss[i] = Math.max(rss[i]!, memKiB(b.child.pid!, "VmRSS"))));
  const rssTimer = setInterval(sampleRss, 1_000);
  const watcher = await connect({ servers: stack.urls.split(","), name: "bench-scale-watcher" });
  const jsm = await jetstreamManager(watcher);
  // A probe for the verbose log only: NaN when the broker is too busy to answer within the request timeout.
  const streamMessages = async (name: string): Promise<number> => (await jsm.streams.info(name).catch(() => undefined))?.state.messages ?? NaN;
  try {
    // ---- all online ----
    const counts = split(N, PROCESSES);
    const probe = await rowProbe(stack.dbUrl);
    const t0 = performance.now();
    const since = new Date().toISOString();
    // Verbose: the PCs whose heartbeat was seen on the wire, to tell one not sent from one not projected.
    const onWire = new Set<string>();
    const wireSub = VERBOSE ? watcher.subscribe(subjects.heartbeatAll(), { callback: (_err, msg) => void onWire.add(msg.subject.slice(msg.subject.lastIndexOf(".") + 1)) }) : undefined;
    await watcher.flush();
    stack.simulate(counts);
    let lastLog = 0;
    let last = { online: -1, at: performance.now() };
    await waitFor(
      async () => {
        const online = await probe.seenSince(since);
        if (performance.now() - lastLog > (VERBOSE ? 3_000 : 10_000)) {
          lastLog = performance.now();
          log(`online ${online}/${N}${VERBOSE ? ` (a heartbeat on the wire from ${onWire.size})` : ""}`);
        }
        if (online !== last.online) last = { online, at: performance.now() };
        else if (VERBOSE && N - online <= 1_000 && performance.now() - last.at > 5_000) {
          // A tail: name some of the PCs still missing, and whether their heartbeat was on the wire.
          last.at = performance.now();
          const seen = await probe.idsSeenSince(since);
          const missing = counts.flatMap((c, p) => Array.from({ length: c }, (_, i) => `s${p + 1}-${String(i + 1).padStart(4, "0")}`)).filter((pc) => !seen.has(pc));
          log(`missing ${missing.length}: ${missing.slice(0, 12).map((pc) => `${pc}${onWire.has(pc) ? " (on the wire)" : ""}`).join(", ")}`);
        }
        return online >= N || undefined;
      },
      { timeoutMs: TIMEOUT_MS, intervalMs: 1_000, what: `${N} agents online` },
    );
    wireSub?.unsubscribe();
    const onlineMs = performance.now() - t0;
    log(`all ${N} online in ${Math.round(onlineMs)} ms`);

    // ---- the idle window: heartbeat lag, first-page latency, CPU ----
    const samplePcs = counts.flatMap((c, p) => Array.from({ length: c }, (_, i) => i + 1).filter((i) => i % LAG_SAMPLE_EVERY === 0).map((i) => `s${p + 1}-${String(i).padStart(4, "0")}`));
    const sampled = new Set(samplePcs);
    const wire = new Map<string, number>();
    const fresh = new Set<string>();
    const sub = watcher.subscribe(subjects.heartbeatAll(), {
      callback: (_err, msg) => {
        const pc = msg.subject.slice(msg.subject.lastIndexOf(".") + 1);
        if (!sampled.has(pc)) return;
        wire.set(pc, Date.now());
        fresh.add(pc);
      },
    });
    const lags: number[] = [];
    const firstPage: number[] = [];
    const cpu0 = stack.backends.map((b) => cpuSeconds(b.child.pid!));
    const w0 = performance.now();
    let prev = await probe.lastSeen(samplePcs);
    let nextPage = 0;
    while (performance.now() - w0 < WINDOW_S * 1000) {
      await sleep(200);
      const now = await probe.lastSeen(samplePcs);
      const at = Date.now();
      for (const [pc, seen] of now) {
        if (seen !== prev.get(pc) && fresh.has(pc)) {
          fresh.delete(pc);
          lags.push(at - wire.get(pc)!);
        }
      }
      prev = now;
      if (performance.now() >= nextPage) {
        nextPage = performance.now() + 2_000;
        firstPage.push((await timed(() => api("GET", "/api/agents?limit=500"))).ms);
      }
    }
    const windowS = (performance.now() - w0) / 1000;
    const cpuPct = stack.backends.map((b, i) => round(((cpuSeconds(b.child.pid!) - cpu0[i]!) / windowS) * 100, 1));
    sub.unsubscribe();
    await probe.close();
    log(`window: ${lags.length} heartbeat lags, ${firstPage.length} first pages`);

    // ---- full walks of the list, and the whole list in one answer ----
    const walkPages: number[] = [];
    let walk = { rows: 0, online: 0, pages: 0 };
    for (let i = 0; i < 3; i++) {
      const w = await walkAgents(api, 1_000);
      walkPages.push(...w.pages);
      walk = { rows: w.rows, online: w.online, pages: w.pages.length };
    }
    const whole = await timed(() => api<{ items: unknown[] }>("GET", "/api/agents"));

    // ---- fan-out to every agent ----
    await api("POST", "/api/jobs", "id: bench-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n", "application/yaml");
    const execRuns: number[] = [];
    const postMs: number[] = [];
    for (let i = 0; i < EXEC_RUNS; i++) {
      const start = performance.now();
      const startUs = monoUs();
      const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/bench-echo", { all: true });
      postMs.push(performance.now() - start);
      let lastDone = 0;
      const results0 = VERBOSE ? await streamMessages(STREAMS.RESULTS) : 0;
      for (;;) {
        const done = (await api<{ counts: { done: number } }>("GET", `/api/executions/${exec_id}?rows=false`)).counts.done;
        if (VERBOSE) log(`exec ${i + 1} +${Math.round(performance.now() - start)} ms: ${(await streamMessages(STREAMS.RESULTS)) - results0} in RESULTS, ${done} projected`);
        if (done >= N) break;
        if (performance.now() - start > TIMEOUT_MS) throw new Error(`${exec_id}: ${done}/${N} results after ${TIMEOUT_MS} ms`);
        if (done !== lastDone && performance.now() - lastLog > 5_000) {
          lastLog = performance.now();
          log(`exec ${i + 1}: ${done}/${N}`);
        }
        lastDone = done;
        await sleep(250);
      }
      execRuns.push(performance.now() - start);
      markProfileWindow("ours", startUs);
      log(`exec ${i + 1}: all ${N} results in ${Math.round(execRuns.at(-1)!)} ms`);
    }
    sampleRss();
    const execMs = percentile(execRuns, 50);

    const brokers = await Promise.all(
      stack.nodes.map(async (n) => {
        const pid = n.pid();
        const varz = n.monitorUrl ? ((await fetch(`${n.monitorUrl}/varz`).then((r) => r.json())) as { connections: number; slow_consumers: number }) : undefined;
        return {
          node: n.name,
          rss_mib: pid ? mib(memKiB(pid, "VmRSS")) : null,
          open_fds: pid ? openFds(pid) : null,
          connections: varz?.connections ?? null,
          // Connections (clients or routes) this node cut off for not reading fast enough: their messages were lost.
          slow_consumers: varz?.slow_consumers ?? null,
        };
      }),
    );
    const lag = stats(lags);
    const fp = stats(firstPage);
    const wp = stats(walkPages);
    const maxRss = Math.max(...rss.map(mib));
    const ratio = round(execMs / floorMs, 2);
    return {
      online: { all_online_ms: Math.round(onlineMs) },
      backends: stack.backends.map((b, i) => ({ rss_max_mib: mib(rss[i]!), peak_rss_mib: mib(memKiB(b.child.pid!, "VmHWM")), idle_window_cpu_pct: cpuPct[i] })),
      heartbeat_ingest_lag_ms: lag,
      get_agents: {
        first_page_limit_500_ms: fp,
        walk_limit_1000: { ...walk, page_ms: wp },
        whole_list_ms: Math.round(whole.ms),
        whole_list_rows: whole.value.items.length,
      },
      floor: { connect_ms: floorConnectMs, runs_ms: floorRuns.map(Math.round), median_ms: Math.round(floorMs) },
      // At 50,000 the floor's runs spread widely (a burst of publishes waits out 5-s PubAck timeouts, or not): both ratios.
      exec: { runs_ms: execRuns.map(Math.round), post_ms: postMs.map(Math.round), median_ms: Math.round(execMs), over_floor: ratio, over_fastest_floor: round(execMs / Math.min(...floorRuns), 2) },
      broker_nodes: brokers,
      simulator_processes: PROCESSES,
      fd_limit_per_process: 20_000,
      goals: {
        all_online_ms: { value: Math.round(onlineMs), goal: GOALS.online_ms, met: onlineMs <= GOALS.online_ms },
        backend_rss_mib: { value: maxRss, goal: GOALS.backend_rss_mib, met: maxRss <= GOALS.backend_rss_mib },
        heartbeat_lag_p95_ms: { value: lag.p95, goal: GOALS.hb_lag_p95_ms, met: lag.p95 <= GOALS.hb_lag_p95_ms },
        first_page_p95_ms: { value: fp.p95, goal: GOALS.page_p95_ms, met: fp.p95 <= GOALS.page_p95_ms },
        walk_page_p95_ms: { value: wp.p95, goal: GOALS.page_p95_ms, met: wp.p95 <= GOALS.page_p95_ms && walk.pages > 1 },
        exec_over_floor: { value: ratio, goal: GOALS.exec_over_floor, met: ratio <= GOALS.exec_over_floor },
      },
    };
  } finally {
    clearInterval(rssTimer);
    await watcher.close();
  }
}

const stack = await startStack(shape);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    void stack.stop().finally(() => process.exit(130));
  });
}
try {
  const figures = await measure(stack);
  console.log(JSON.stringify({ bench: "scale", agents: N, shape, ...figures }));
} finally {
  log("stopping");
  await stack.stop();
}
