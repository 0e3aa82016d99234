/**
 * Idle agent footprint: one real agent (the workspace build under node; the release bundle under node and
 * the Linux single executable when `npm run build:release` made them) connected to a real nats-server +
 * backend, left idle; its RSS is sampled from /proc over the last 10 s of the window. A bare node process
 * holding one NATS connection is measured the same way for comparison. Prints one JSON line (KiB).
 *
 *   npm run bench:agent-rss        (builds the release bundles first)
 *   BENCH_SECONDS=30 BENCH_AGENT_EXE=/path/to/kanade-agent npx tsx bench/agent-rss.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { REPO_ROOT, sleep } from "@kanade/testkit";
import { backendCommandKeys, memKiB, percentile, stopChild, waitAgentsOnline, withBackend, type Bench } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SAMPLE_SECONDS = Math.min(10, SECONDS);
const TOKEN = "bench-token-0123456789abcdefghijklmno";
const SEA = process.env.BENCH_AGENT_EXE ?? `${REPO_ROOT}dist/kanade-agent-linux-x64`;
/** The release bundle (minified) that the single executable embeds, run by the machine's node. */
const BUNDLE = `${REPO_ROOT}dist/kanade-agent.cjs`;
const BARE = "import { connect } from '@nats-io/transport-node'; await connect({ servers: process.env.KANADE_NATS_URL, name: 'bare' }); setInterval(() => {}, 1 << 30);";

interface Figure {
  rss_kib_median: number;
  rss_kib_max: number;
  hwm_kib: number;
}

/** Idles `child` for the window, then reads its RSS once a second for the last SAMPLE_SECONDS. */
async function idleRss(child: ChildProcess): Promise<Figure> {
  const pid = child.pid;
  if (pid === undefined) throw new Error("child did not start");
  await sleep((SECONDS - SAMPLE_SECONDS) * 1000);
  const rss: number[] = [];
  for (let i = 0; i < SAMPLE_SECONDS; i++) {
    if (child.exitCode !== null) throw new Error(`child exited with ${child.exitCode} during the window`);
    rss.push(memKiB(pid, "VmRSS"));
    await sleep(1000);
  }
  return { rss_kib_median: percentile(rss, 50), rss_kib_max: Math.max(...rss), hwm_kib: memKiB(pid, "VmHWM") };
}

async function measureAgent(bench: Bench, name: string, file: string, args: string[]): Promise<Figure> {
  const child = spawn(file, args, {
    env: { ...process.env, KANADE_AGENT_ID: name, KANADE_NATS_URL: bench.nats.url, KANADE_AGENT_DATA_DIR: bench.dir.join(name), KANADE_LOG: "warn", KANADE_COMMAND_KEYS: backendCommandKeys(bench.dbPath) },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
  try {
    await waitAgentsOnline(bench.api, 1, { timeoutMs: 60_000, intervalMs: 500 });
    return await idleRss(child);
  } finally {
    await stopChild(child);
    // The next agent must be the one counted online.
    await bench.api("DELETE", `/api/agents/${name}`).catch(() => undefined);
  }
}

async function measureBare(bench: Bench): Promise<Figure> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", BARE], {
    cwd: `${REPO_ROOT}packages/agent`,
    env: { ...process.env, KANADE_NATS_URL: bench.nats.url },
    stdio: "ignore",
  });
  try {
    return await idleRss(child);
  } finally {
    await stopChild(child);
  }
}

await withBackend("kanade-bench-rss-", TOKEN, async (bench) => {
  const out: Record<string, unknown> = { bench: "agent-rss", idle_seconds: SECONDS, sample_seconds: SAMPLE_SECONDS };
  out.node_agent = await measureAgent(bench, "rss-node", process.execPath, [`${REPO_ROOT}packages/agent/bin/kanade-agent.js`]);
  out.bundle_agent = existsSync(BUNDLE)
    ? await measureAgent(bench, "rss-bundle", process.execPath, [BUNDLE])
    : `not measured: ${BUNDLE} missing (npm run build:release -- --skip-windows)`;
  out.sea_agent = existsSync(SEA) ? await measureAgent(bench, "rss-sea", SEA, []) : `not measured: ${SEA} missing (npm run build:release -- --skip-windows)`;
  out.bare_node_nats = await measureBare(bench);
  console.log(JSON.stringify(out));
});
