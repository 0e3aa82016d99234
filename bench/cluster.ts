/**
 * Cluster bench: the fan-out of bench/fanout.ts (time from `POST /api/exec` to all N results visible through
 * `GET /api/executions/{id}`) on one nats-server with R1 streams, and on a three-node cluster on loopback with
 * R3 streams (KANADE_NATS_REPLICAS=3, every node's URL given to the backend and the simulator). Then, on the
 * cluster, fan-outs during which the node most agents are connected to is SIGKILLed right after the POST: lost
 * and doubled results (from the backend's SQLite file: PCs without a row, PCs with more than one) must be 0;
 * the time to all results visible and the time the node, started again, takes to catch up on RESULTS are
 * printed. Real processes throughout; the machine's CPU is shared, so compare lines of one run.
 *
 * Both topologies are set up at once for each N and their runs alternate, so the machine's load hits both alike.
 *
 *   npm run bench:cluster                                    # N = 1000 and 5000, 5 runs each; kill at 5000
 *   BENCH_SIZES=200 BENCH_RUNS=2 BENCH_KILL_SIZES=200 npm run bench:cluster
 */
import type { ChildProcess } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { freePort, sleep, startNatsCluster, startNatsServer, tempDir, waitFor, type NatsCluster, type NatsServer } from "@kanade/testkit";
import { apiClient, backendCommandKeys, percentile, spawnBin, stopChild, waitAgentsOnline, type Api } from "./lib.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
const killSizes = (process.env.BENCH_KILL_SIZES ?? "5000").split(",").filter(Boolean).map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = "bench-token-0123456789abcdef-0123456789";
const POLL_MS = 10;
const TIMEOUT_MS = 300_000;
const AGENT_CONN = /^sim-\d+$/;

type Topology = "single-r1" | "cluster-r3";

interface Stack {
  api: Api;
  dbPath: string;
  cluster?: NatsCluster;
}

/** A broker (one node or three), a backend process and a simulator of `n` agents; torn down after `body`. */
async function withStack<T>(topology: Topology, n: number, body: (s: Stack & { fleetReadyMs: number }) => Promise<T>): Promise<T> {
  const single: NatsServer | undefined = topology === "single-r1" ? await startNatsServer() : undefined;
  const cluster: NatsCluster | undefined = topology === "cluster-r3" ? await startNatsCluster() : undefined;
  const url = single?.url ?? cluster!.url;
  const dir = tempDir("kanade-bench-cluster-");
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dbPath = dir.join("kanade.db");
    children.push(
      spawnBin("backend", "kanade-backend", [], {
        KANADE_BIND_ADDR: `127.0.0.1:${port}`,
        KANADE_NATS_URL: url,
        KANADE_NATS_REPLICAS: topology === "cluster-r3" ? "3" : "1",
        DATABASE_URL: `sqlite://${dbPath}`,
        KANADE_AUTH_STATIC_TOKEN: TOKEN,
        KANADE_LOG: "warn",
      }),
    );
    await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), { timeoutMs: 60_000, what: "backend" });
    const api = apiClient(base, TOKEN);
    const t0 = Date.now();
    children.push(
      spawnBin(
        "agent",
        "kanade-agent",
        ["simulate", "--count", String(n)],
        { KANADE_NATS_URL: url, KANADE_AGENT_DATA_DIR: dir.join("sim"), KANADE_LOG: "warn", KANADE_COMMAND_KEYS: backendCommandKeys(dbPath) },
        ["--max-semi-space-size=64"],
      ),
    );
    await waitAgentsOnline(api, n, { timeoutMs: TIMEOUT_MS, intervalMs: 500 });
    const fleetReadyMs = Date.now() - t0;
    await api("POST", "/api/jobs", "id: bench-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n", "application/yaml");
    return await body({ api, dbPath, fleetReadyMs, ...(cluster ? { cluster } : {}) });
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    await single?.dispose();
    await cluster?.dispose();
    dir.remove();
  }
}

const doneCount = async (api: Api, execId: string): Promise<number> =>
  (await api<{ counts: { done: number } }>("GET", `/api/executions/${execId}?rows=false`)).counts.done;

/** PCs without a result row (lost) and PCs with more than one (doubled), from the backend's database. */
function lostDoubled(dbPath: string, execId: string, n: number): { lost: number; doubled: number } {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const r = db
      .prepare("SELECT COUNT(*) AS pcs, COALESCE(SUM(c > 1), 0) AS doubled FROM (SELECT pc_id, COUNT(*) AS c FROM results WHERE exec_id = ? GROUP BY pc_id)")
      .get(execId) as { pcs: number; doubled: number };
    return { lost: n - Number(r.pcs), doubled: Number(r.doubled) };
  } finally {
    db.close();
  }
}

/** One exec to every agent; `afterPost` runs right after the POST answered (the kill). */
async function oneExec(api: Api, n: number, afterPost?: (execId: string) => Promise<void>): Promise<{ execId: string; ms: number }> {
  const start = performance.now();
  const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/bench-echo", { all: true });
  await afterPost?.(exec_id);
  for (;;) {
    if ((await doneCount(api, exec_id)) >= n) break;
    if (performance.now() - start > TIMEOUT_MS) throw new Error(`all ${n} results of ${exec_id} not visible after ${TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
  return { execId: exec_id, ms: performance.now() - start };
}

interface FanoutFigures {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  fleet_ready_ms: number;
  lost: number;
  doubled: number;
}

interface FanoutLine {
  bench: "cluster-fanout";
  agents: number;
  runs: number;
  single_r1: FanoutFigures;
  cluster_r3: FanoutFigures;
  /** Median of cluster ÷ single over the alternating pairs of runs. */
  r3_over_r1_paired: number;
}

/**
 * Both stacks are up at once and their runs alternate (single, cluster, single, cluster…), so a change in
 * the machine's load hits both alike, as bench/fanout.ts does with the floor.
 */
async function measureFanout(n: number): Promise<FanoutLine> {
  return withStack("single-r1", n, (single) =>
    withStack("cluster-r3", n, async (cluster) => {
      const stacks = [single, cluster] as const;
      const times: [number[], number[]] = [[], []];
      const counts = [
        { lost: 0, doubled: 0 },
        { lost: 0, doubled: 0 },
      ];
      for (let i = 0; i < runs; i++) {
        for (const k of [0, 1] as const) {
          const { execId, ms } = await oneExec(stacks[k].api, n);
          times[k].push(ms);
          const c = lostDoubled(stacks[k].dbPath, execId, n);
          counts[k]!.lost += c.lost;
          counts[k]!.doubled += c.doubled;
        }
      }
      const figures = (k: 0 | 1): FanoutFigures => ({
        median_ms: Math.round(percentile(times[k], 50)),
        min_ms: Math.round(Math.min(...times[k])),
        max_ms: Math.round(Math.max(...times[k])),
        fleet_ready_ms: stacks[k].fleetReadyMs,
        ...counts[k]!,
      });
      return {
        bench: "cluster-fanout",
        agents: n,
        runs,
        single_r1: figures(0),
        cluster_r3: figures(1),
        r3_over_r1_paired: Math.round(percentile(times[1].map((t, i) => t / times[0][i]!), 50) * 100) / 100,
      };
    }),
  );
}

interface KillLine {
  bench: "cluster-kill";
  agents: number;
  /** The node SIGKILLed right after the POST, and how many agents were connected to it. */
  killed: string;
  agents_on_killed: number;
  results_visible_at_kill: number;
  /** POST → all N results visible, with the node dying along the way. */
  all_visible_ms: number;
  /** The same fan-out right before, with all three nodes up. */
  baseline_ms: number;
  lost: number;
  doubled: number;
  /** Agents on the two live nodes once all results were in. */
  agents_reconnected: number;
  /** Node started again → its RESULTS copy at the same last sequence as a live node's. */
  catch_up_ms: number;
}

async function measureKill(n: number): Promise<KillLine> {
  return withStack("cluster-r3", n, async ({ api, dbPath, cluster }) => {
    const c = cluster!;
    const baseline = await oneExec(api, n);
    const perNode = await Promise.all(c.nodes.map(async (node) => [node.name, await c.connections(node.name, AGENT_CONN)] as const));
    const [killed, onKilled] = [...perNode].sort((a, b) => b[1] - a[1])[0]!;
    let visibleAtKill = 0;
    const { execId, ms } = await oneExec(api, n, async (id) => {
      await c.node(killed).server.kill();
      visibleAtKill = await doneCount(api, id);
    });
    const { lost, doubled } = lostDoubled(dbPath, execId, n);
    let reconnected = 0;
    for (const node of c.nodes) if (node.name !== killed) reconnected += await c.connections(node.name, AGENT_CONN);
    const restartAt = performance.now();
    await c.node(killed).server.start();
    const live = c.nodes.find((x) => x.name !== killed)!.name;
    await waitFor(
      async () => {
        const want = (await c.streams(live)).find((s) => s.name === "RESULTS");
        const have = (await c.streams(killed)).find((s) => s.name === "RESULTS");
        return want !== undefined && have !== undefined && have.last_seq >= want.last_seq;
      },
      { timeoutMs: TIMEOUT_MS, intervalMs: 100, what: `${killed} to catch up on RESULTS` },
    );
    return {
      bench: "cluster-kill",
      agents: n,
      killed,
      agents_on_killed: onKilled,
      results_visible_at_kill: visibleAtKill,
      all_visible_ms: Math.round(ms),
      baseline_ms: Math.round(baseline.ms),
      lost,
      doubled,
      agents_reconnected: reconnected,
      catch_up_ms: Math.round(performance.now() - restartAt),
    };
  });
}

const fanouts: FanoutLine[] = [];
for (const n of sizes) {
  const line = await measureFanout(n);
  fanouts.push(line);
  console.log(JSON.stringify(line));
}
const kills: KillLine[] = [];
for (const n of killSizes) {
  const line = await measureKill(n);
  kills.push(line);
  console.log(JSON.stringify(line));
}
console.log(
  JSON.stringify({
    bench: "cluster-summary",
    runs,
    fanout: fanouts.map((f) => ({
      agents: f.agents,
      single_r1_ms: f.single_r1.median_ms,
      cluster_r3_ms: f.cluster_r3.median_ms,
      r3_over_r1: Math.round((f.cluster_r3.median_ms / f.single_r1.median_ms) * 100) / 100,
      r3_over_r1_paired: f.r3_over_r1_paired,
      lost: f.single_r1.lost + f.cluster_r3.lost,
      doubled: f.single_r1.doubled + f.cluster_r3.doubled,
    })),
    kill: kills.map(({ agents, all_visible_ms, baseline_ms, lost, doubled, catch_up_ms }) => ({ agents, all_visible_ms, baseline_ms, lost, doubled, catch_up_ms })),
  }),
);
