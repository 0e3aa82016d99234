/**
 * `GET /api/agents` at fleet scale (issue 16: 50,000 agents, p95 ≤ 150 ms per page, on SQLite and PostgreSQL).
 * Per engine: the agents table is filled directly with BENCH_AGENTS rows (a heartbeat's worth each; a third
 * have a short interval, so they are offline), a real backend is started on it in this process against a real
 * nats-server, and the API is timed over HTTP:
 * - the first page (limit 100 and 1,000), BENCH_REPEAT times each;
 * - a full walk following next_cursor (limit 1,000 and 5,000), every page timed;
 * - filtered walks tested in the backend (online=false, q=…), whose pages read up to the scan budget;
 * - the whole list without `limit`, as the Agents page and the CLI read it;
 * - `GET /api/fleet/summary`, the counts the dashboard polls instead of the whole list.
 *
 *   npm run bench:agents                       # both engines (PostgreSQL at KANADE_TEST_PG_URL)
 *   BENCH_AGENTS=10000 BENCH_ENGINES=sqlite npm run bench:agents
 */
import { pino } from "pino";
import { openDatabase, startBackend } from "@kanade/backend";
import { startNatsServer, tempDatabase, testCommandKeys, type TestDbEngine } from "@kanade/testkit";
import { percentile } from "./lib.js";

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 40);
const ENGINES = (process.env.BENCH_ENGINES ?? "sqlite,postgres").split(",") as TestDbEngine[];
const TOKEN = "bench-agents-list-token-0123456789abcdef";

function fill(target: string): void {
  const db = openDatabase(target);
  try {
    const insert = db.prepare(
      `INSERT INTO agents (pc_id, hostname, os_family, os_version, agent_version, groups, last_seen, heartbeat_interval_secs,
         agent_rss_bytes, agent_cpu_pct, boot_time, logged_in_user, quarantined_versions, client_version, first_seen)
       VALUES (?, ?, 'windows', '10.0.19045', '1.4.2', ?, ?, ?, 60000000, 0.5, NULL, ?, '[]', NULL, ?)`,
    );
    const now = new Date().toISOString();
    const batch = db.transaction((from: number) => {
      for (let i = from; i < Math.min(from + 1000, AGENTS); i++) {
        const pc = `PC-${String(i).padStart(6, "0")}`;
        insert.run(pc, `${pc.toLowerCase()}.corp.example`, JSON.stringify([`site-${i % 20}`]), now, i % 3 === 0 ? 1 : 3600, `CORP\\user${i}`, now);
      }
    });
    for (let from = 0; from < AGENTS; from += 1000) batch(from);
  } finally {
    db.close();
  }
}

type Timing = { calls: number; p50_ms: number; p95_ms: number; max_ms: number; cpu_p50_ms: number; cpu_p95_ms: number; items?: number };
/** Wall time per call, and this process's CPU time per call (backend, PostgreSQL bridge thread and client together; less swayed by other load on the machine). */
const summary = (ms: number[], cpu: number[], items?: number): Timing => ({
  calls: ms.length,
  p50_ms: Math.round(percentile(ms, 50)),
  p95_ms: Math.round(percentile(ms, 95)),
  max_ms: Math.round(Math.max(...ms)),
  cpu_p50_ms: Math.round(percentile(cpu, 50)),
  cpu_p95_ms: Math.round(percentile(cpu, 95)),
  ...(items !== undefined ? { items } : {}),
});

async function measure(engine: TestDbEngine): Promise<Record<string, unknown>> {
  const temp = tempDatabase(engine);
  const nats = await startNatsServer();
  try {
    const t0 = performance.now();
    fill(temp.target);
    const fillMs = Math.round(performance.now() - t0);
    const backend = await startBackend(
      {
        bindHost: "127.0.0.1",
        bindPort: 0,
        natsUrl: nats.url,
        databaseUrl: temp.url,
        authDisabled: false,
        staticToken: TOKEN,
        logLevel: "silent",
        commandKeysDir: testCommandKeys().dir,
        ...(temp.stateDir ? { stateDir: temp.stateDir } : {}),
      },
      { log: pino({ level: "silent" }) },
    );
    const get = async (query: string): Promise<{ ms: number; cpu: number; items: { pc_id: string }[]; next_cursor: string | null }> => {
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const res = await fetch(`${backend.url}/api/agents${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as { items: { pc_id: string }[]; next_cursor: string | null };
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu0);
      if (res.status !== 200) throw new Error(`GET /api/agents${query} → ${res.status} ${JSON.stringify(body)}`);
      return { ms, cpu: (used.user + used.system) / 1000, ...body };
    };
    const repeat = async (query: string, n: number): Promise<Timing> => {
      const ms: number[] = [];
      const cpu: number[] = [];
      let items = 0;
      for (let i = 0; i < n; i++) {
        const r = await get(query);
        ms.push(r.ms);
        cpu.push(r.cpu);
        items = r.items.length;
      }
      return summary(ms, cpu, items);
    };
    const fleetSummary = async (n: number): Promise<Timing & { online: number; offline: number }> => {
      const ms: number[] = [];
      const cpu: number[] = [];
      let counts = { total: 0, online: 0, offline: 0 };
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const cpu0 = process.cpuUsage();
        const res = await fetch(`${backend.url}/api/fleet/summary`, { headers: { authorization: `Bearer ${TOKEN}` } });
        counts = ((await res.json()) as { agents: typeof counts }).agents;
        ms.push(performance.now() - started);
        const used = process.cpuUsage(cpu0);
        cpu.push((used.user + used.system) / 1000);
        if (res.status !== 200 || counts.total !== AGENTS) throw new Error(`GET /api/fleet/summary → ${res.status} ${JSON.stringify(counts)}`);
      }
      return { ...summary(ms, cpu, counts.total), online: counts.online, offline: counts.offline };
    };
    const walk = async (query: string): Promise<Timing & { total_ms: number }> => {
      const ms: number[] = [];
      const cpu: number[] = [];
      let items = 0;
      let cursor: string | null = null;
      do {
        const r = await get(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        ms.push(r.ms);
        cpu.push(r.cpu);
        items += r.items.length;
        cursor = r.next_cursor;
      } while (cursor !== null);
      return { ...summary(ms, cpu, items), total_ms: Math.round(ms.reduce((a, b) => a + b, 0)) };
    };
    try {
      await repeat("?limit=100", 5); // warm-up: statements prepared, address map cached
      return {
        engine,
        agents: AGENTS,
        fill_ms: fillMs,
        first_page_100: await repeat("?limit=100", REPEAT),
        first_page_1000: await repeat("?limit=1000", REPEAT),
        walk_1000: await walk("?limit=1000"),
        walk_5000: await walk("?limit=5000"),
        walk_1000_offline: await walk("?limit=1000&online=false"),
        walk_100_search_rare: await walk("?limit=100&q=pc-04999"),
        whole_list: await repeat("", Math.max(3, Math.floor(REPEAT / 8))),
        fleet_summary: await fleetSummary(REPEAT),
      };
    } finally {
      await backend.close();
    }
  } finally {
    await nats.dispose();
    temp.remove();
  }
}

const figures: Record<string, unknown>[] = [];
for (const engine of ENGINES) figures.push(await measure(engine));
console.log(JSON.stringify({ agents: AGENTS, repeat: REPEAT, figures }, null, 1));
