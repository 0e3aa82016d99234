#!/usr/bin/env node
// `npm run smoke:windows`: the Windows agent under Wine (packages/agent/test/windows-smoke.test.ts).
// Installs Wine from Debian when it is missing (as root, with apt-get), builds the release, then runs the
// test with KANADE_SMOKE_WINDOWS=1. Runs on the Node the release ships (npm puts it first in PATH).
// `--no-build` uses the dist/ already there (.ci/run: npm test has just built it, Windows exes included).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const log = (msg) => console.error(`[smoke:windows] ${msg}`);
const run = (cmd, args, env = process.env) => {
  log(`${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  if (r.status !== 0) {
    log(`"${cmd} ${args.join(" ")}" failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
};

if (spawnSync("wine", ["--version"], { stdio: "ignore" }).status !== 0) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) {
    log("Wine is missing: run `sudo apt-get install wine64 wine` (Debian's Wine 8), then this again.");
    process.exit(1);
  }
  run("apt-get", ["update", "-q"]);
  run("apt-get", ["install", "-y", "-q", "wine64", "wine"], { ...process.env, DEBIAN_FRONTEND: "noninteractive" });
}
const started = Date.now();
if (!process.argv.includes("--no-build")) run(process.execPath, ["scripts/build-release.mjs"]);
for (const f of ["dist/kanade-agent.exe", "dist/kanade-backend-linux-x64"]) {
  if (!existsSync(`${root}${f}`)) {
    log(`${f} is missing: run without --no-build (or \`npm run build:release\`) first`);
    process.exit(1);
  }
}
run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "packages/agent/test/windows-smoke.test.ts"], { ...process.env, KANADE_SMOKE_WINDOWS: "1" });
log(`passed in ${Math.round((Date.now() - started) / 1000)} s (build included)`);
