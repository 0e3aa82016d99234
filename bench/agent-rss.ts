/**
 * Idle agent footprint: real agents connected to a real nats-server + backend, left idle; each one's RSS
 * is sampled from /proc over the last 10 s of the window. Measured side by side in each round: the single
 * executable (dist/kanade-agent-linux-x64, flags baked in), the release bundle under node with the agent's
 * flags (packages/agent/node-flags.json) and without them, the workspace build as its #! line starts it,
 * and a bare node process holding one NATS connection (the floor, with and without the agent's flags).
 * Prints one JSON line (MiB).
 *
 *   npm run bench:agent-rss        (builds the release bundles first)
 *   BENCH_SECONDS=30 BENCH_RUNS=3 BENCH_BEFORE_DIR=/tmp/old-dist npx tsx bench/agent-rss.ts
 *
 * BENCH_BEFORE_DIR: a dist/ of another build (its kanade-agent.cjs and kanade-agent-linux-x64), measured in
 * the same rounds as "before_*" (the bundle without flags, as that build ran it).
 * The single executables are dropped from the page cache before each round (`dd iflag=nocache`): a file
 * just written in one piece sits in the cache as large folios, and a process mapping it then counts up to
 * ~16 MiB more resident file pages than after a reboot or an installer's copy (docs/operator/performance.md).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { REPO_ROOT, sleep } from "@kanade/testkit";
import { backendCommandKeys, percentile, stopChild, waitAgentsOnline, withBackend, type Bench } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const SAMPLE_SECONDS = Math.min(10, SECONDS);
const TOKEN = "bench-token-0123456789abcdefghijklmno";
const DIST = `${REPO_ROOT}dist`;
const SEA = process.env.BENCH_AGENT_EXE ?? `${DIST}/kanade-agent-linux-x64`;
const BEFORE = process.env.BENCH_BEFORE_DIR;
const FLAGS = (JSON.parse(readFileSync(`${REPO_ROOT}packages/agent/node-flags.json`, "utf8")) as { flags: string[] }).flags;
const BARE = "import { connect } from '@nats-io/transport-node'; await connect({ servers: process.env.KANADE_NATS_URL, name: 'bare' }); setInterval(() => {}, 1 << 30);";

interface Subject {
  name: string;
  file: string;
  args: string[];
  /** An agent (counted online) rather than the bare process. */
  agent: boolean;
  /** A single executable to drop from the page cache before it starts. */
  evict?: string;
}

function subjectsToMeasure(): Subject[] {
  const node = process.execPath;
  const s: Subject[] = [];
  if (existsSync(SEA)) s.push({ name: "sea", file: SEA, args: [], agent: true, evict: SEA });
  if (existsSync(`${DIST}/kanade-agent.cjs`)) {
    s.push({ name: "bundle_flags", file: node, args: [...FLAGS, `${DIST}/kanade-agent.cjs`], agent: true });
    s.push({ name: "bundle_no_flags", file: node, args: [`${DIST}/kanade-agent.cjs`], agent: true });
  }
  s.push({ name: "workspace_flags", file: node, args: [...FLAGS, `${REPO_ROOT}packages/agent/bin/kanade-agent.js`], agent: true });
  if (BEFORE) {
    if (existsSync(`${BEFORE}/kanade-agent-linux-x64`)) s.push({ name: "before_sea", file: `${BEFORE}/kanade-agent-linux-x64`, args: [], agent: true, evict: `${BEFORE}/kanade-agent-linux-x64` });
    if (existsSync(`${BEFORE}/kanade-agent.cjs`)) s.push({ name: "before_bundle", file: node, args: [`${BEFORE}/kanade-agent.cjs`], agent: true });
  }
  s.push({ name: "bare_node_nats", file: node, args: ["--input-type=module", "-e", BARE], agent: false });
  // The floor under the agent's own flags: what the agent's code and data add is measured against this.
  s.push({ name: "bare_node_nats_flags", file: node, args: [...FLAGS, "--input-type=module", "-e", BARE], agent: false });
  return s;
}

/** Drops a file's pages from the page cache (GNU dd; the pages of a file no process maps). */
function evict(file: string): boolean {
  return spawnSync("dd", [`if=${file}`, "iflag=nocache", "count=0", "status=none"], { stdio: "ignore" }).status === 0;
}

/** VmRSS, RssAnon and RssFile of a process in KiB. */
function mem(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kib("VmRSS"), anon: kib("RssAnon"), file: kib("RssFile") };
}

const mib = (kib: number): number => Math.round((kib / 1024) * 10) / 10;

interface Sample {
  rss_mib: number;
  anon_mib: number;
  file_mib: number;
}

/** One round: every subject started at once, idled, sampled over the last SAMPLE_SECONDS, stopped. */
async function round(bench: Bench, subjects: Subject[], n: number): Promise<{ samples: Map<string, Sample>; evicted: boolean }> {
  const evicted = subjects.filter((s) => s.evict).every((s) => evict(s.evict ?? ""));
  const children: [Subject, ChildProcess][] = subjects.map((s) => [
    s,
    spawn(s.file, s.args, {
      cwd: `${REPO_ROOT}packages/agent`,
      env: {
        ...process.env,
        KANADE_AGENT_ID: `rss-${s.name.replaceAll("_", "-")}-${n}`,
        KANADE_NATS_URL: bench.nats.url,
        KANADE_AGENT_DATA_DIR: bench.dir.join(`${s.name}-${n}`),
        // Each agent its own local-protocol sockets (the default /run/kanade/klp admits one agent).
        KANADE_KLP_DIR: bench.dir.join(`${s.name}-${n}-klp`),
        KANADE_LOG: "warn",
        KANADE_COMMAND_KEYS: backendCommandKeys(bench.dbPath),
      },
      stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
    }),
  ]);
  try {
    await waitAgentsOnline(bench.api, subjects.filter((s) => s.agent).length, { timeoutMs: 90_000, intervalMs: 500 });
    await sleep((SECONDS - SAMPLE_SECONDS) * 1000);
    const samples = children.map(() => [] as ReturnType<typeof mem>[]);
    for (let i = 0; i < SAMPLE_SECONDS; i++) {
      for (const [j, [s, c]] of children.entries()) {
        if (c.exitCode !== null || c.pid === undefined) throw new Error(`${s.name} exited with ${c.exitCode} during the window`);
        samples[j]?.push(mem(c.pid));
      }
      await sleep(1000);
    }
    const out = new Map<string, Sample>();
    for (const [j, [s]] of children.entries()) {
      const xs = samples[j] ?? [];
      const med = (k: "rss" | "anon" | "file"): number => mib(percentile(xs.map((x) => x[k]), 50));
      out.set(s.name, { rss_mib: med("rss"), anon_mib: med("anon"), file_mib: med("file") });
    }
    return { samples: out, evicted };
  } finally {
    for (const [, c] of children) await stopChild(c);
    // The next round's agents must be the ones counted online.
    for (const s of subjects.filter((x) => x.agent)) await bench.api("DELETE", `/api/agents/rss-${s.name.replaceAll("_", "-")}-${n}`).catch(() => undefined);
  }
}

await withBackend("kanade-bench-rss-", TOKEN, async (bench) => {
  const subjects = subjectsToMeasure();
  const rounds: { samples: Map<string, Sample>; evicted: boolean }[] = [];
  for (let n = 0; n < RUNS; n++) rounds.push(await round(bench, subjects, n));
  const figures: Record<string, unknown> = {};
  for (const s of subjects) {
    const runs = rounds.map((r) => r.samples.get(s.name)).filter((x): x is Sample => x !== undefined);
    figures[s.name] = { rss_mib_runs: runs.map((r) => r.rss_mib), rss_mib_median: percentile(runs.map((r) => r.rss_mib), 50), anon_mib: runs.map((r) => r.anon_mib), file_mib: runs.map((r) => r.file_mib) };
  }
  const pageCache = rounds.some((r) => !r.evicted) ? "not evicted (no GNU dd): SEA figures include the page-cache effect" : "single executables evicted before each round";
  console.log(JSON.stringify({ bench: "agent-rss", node: process.version, flags: FLAGS, idle_seconds: SECONDS, sample_seconds: SAMPLE_SECONDS, runs: RUNS, page_cache: pageCache, ...figures }));
});
