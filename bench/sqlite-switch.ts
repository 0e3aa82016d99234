/**
 * `npm run bench:sqlite-switch`: the results projector's store throughput before and after the move from
 * better-sqlite3 (a native addon, on Node 20) to `node:sqlite` (built into Node 24), on the same migrations,
 * triggers, statements and batches (`sqlite-switch-run.ts`). better-sqlite3@12 is installed once into a cache
 * folder by a Node 20 (`BENCH_NODE20`, default the system `node` when it is 20); runs alternate. JSON out.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@kanade/testkit";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const node20 = process.env.BENCH_NODE20 ?? "/usr/bin/node";
const tsx = join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs");
const runner = join(REPO_ROOT, "bench/sqlite-switch-run.ts");

const version20 = execFileSync(node20, ["--version"], { encoding: "utf8" }).trim();
if (!version20.startsWith("v20.")) throw new Error(`BENCH_NODE20=${node20} is ${version20}; better-sqlite3@12 needs a Node 20`);
const cache = join(tmpdir(), "kanade-bench-better-sqlite3-12");
const modulePath = join(cache, "node_modules/better-sqlite3");
if (!existsSync(join(modulePath, "build/Release/better_sqlite3.node"))) {
  mkdirSync(cache, { recursive: true });
  console.error(`[bench] installing better-sqlite3@12 for ${version20} into ${cache} (builds the addon once)`);
  const npmCli = join(node20, "../../lib/node_modules/npm/bin/npm-cli.js");
  const r = spawnSync(node20, [npmCli, "install", "--no-save", "--no-package-lock", "--prefix", cache, "better-sqlite3@12"], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error("could not install better-sqlite3@12");
}

interface Run {
  driver: string;
  node: string;
  rows: number;
  ms: number;
  rows_per_s: number;
}
const once = (nodeBin: string, args: string[]): Run => {
  const out = execFileSync(nodeBin, [tsx, runner, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Run;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const before: Run[] = [];
const after: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  before.push(once(node20, ["better-sqlite3", modulePath]));
  after.push(once(process.execPath, ["node:sqlite"]));
}
const b = median(before.map((r) => r.rows_per_s));
const a = median(after.map((r) => r.rows_per_s));
console.log(
  JSON.stringify(
    {
      rows: after[0]?.rows,
      batch: 500,
      before: { driver: "better-sqlite3@12", node: before[0]?.node, rows_per_s_median: b, runs: before.map((r) => r.rows_per_s) },
      after: { driver: "node:sqlite", node: after[0]?.node, rows_per_s_median: a, runs: after.map((r) => r.rows_per_s) },
      after_over_before: Math.round((a / b) * 100) / 100,
    },
    null,
    2,
  ),
);
