#!/usr/bin/env node
// `npm run smoke:windows`: the Windows agent under Wine (packages/agent/test/windows-smoke.test.ts).
// Installs Wine from Debian when it is missing (as root, with apt-get), builds the release, then runs the
// test with KANADE_SMOKE_WINDOWS=1. Runs on the Node the release ships (npm puts it first in PATH).
import { spawnSync } from "node:child_process";
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
  run("apt-get", ["install", "-y", "-q", "--no-install-recommends", "wine64", "wine"], { ...process.env, DEBIAN_FRONTEND: "noninteractive" });
}
const started = Date.now();
run(process.execPath, ["scripts/build-release.mjs"]);
run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "packages/agent/test/windows-smoke.test.ts"], { ...process.env, KANADE_SMOKE_WINDOWS: "1" });
log(`passed in ${Math.round((Date.now() - started) / 1000)} s (build included)`);
