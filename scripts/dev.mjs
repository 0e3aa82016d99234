#!/usr/bin/env node
// The dev sandbox: nats-server (JetStream, port 4223, data under .kanade/dev/), kanade-backend on 8081
// with auth disabled and SQLite, one agent `dev-pc` (or `--fleet N`: dev-pc-1..N), and the web UI's Vite dev
// server on 5173 proxying /api (and its WebSockets) to the backend. Ctrl+C stops all.
// The broker runs locked down, as in production: `kanade-backend nats init` material in .kanade/dev/nats-auth
// (made on the first run), the backend as its own user, and each agent enrolled with its own credential
// through an enrollment token made at start.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));

// The backend needs Node 24 (node:sqlite), which `npm ci` puts in node_modules/.bin. Started by hand with an
// older system Node, go on under the project's own.
const projectNode = `${root}node_modules/.bin/node`;
if (Number(process.versions.node.split(".")[0]) < 24) {
  if (!existsSync(projectNode)) {
    console.error(`dev: Node ${process.versions.node} is too old and ${projectNode} is missing; run \`npm ci\` first (or \`npm start\`)`);
    process.exit(1);
  }
  // Ctrl+C reaches the child too (same process group); it stops its children and exits, and so do we.
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => undefined);
  const r = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
const { values } = parseArgs({ options: { fleet: { type: "string" } } });
const fleet = values.fleet ? Number(values.fleet) : 0;
const NATS_PORT = Number(process.env.KANADE_DEV_NATS_PORT ?? 4223);
const API_PORT = Number(process.env.KANADE_DEV_API_PORT ?? 8081);
const WEB_PORT = 5173;
const devDir = `${root}.kanade/dev`;
mkdirSync(devDir, { recursive: true });

const children = [];
let stopping = false;

function start(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `${name.padEnd(14)}|`;
  const relay = (stream) => {
    let buf = "";
    stream.on("data", (d) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) process.stdout.write(`${prefix} ${l}\n`);
    });
  };
  relay(child.stdout);
  relay(child.stderr);
  child.on("exit", (code, sig) => {
    if (!stopping) {
      console.error(`${prefix} exited (${code ?? sig}); stopping the sandbox`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

async function waitPort(port, what) {
  for (let i = 0; i < 300; i++) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not open port ${port}`);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping kanade dev sandbox…");
  for (const { child } of [...children].reverse()) {
    if (child.exitCode !== null) continue;
    const done = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    await done;
    clearTimeout(t);
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

for (const [port, what] of [[NATS_PORT, "nats-server"], [API_PORT, "kanade-backend"], [WEB_PORT, "web UI dev server"]]) {
  if (await portOpen(port)) {
    console.error(`port ${port} (for ${what}) is already in use: is another sandbox running?`);
    process.exit(1);
  }
}

const authDir = `${devDir}/nats-auth`;
const backendBin = `${root}packages/backend/bin/kanade-backend.js`;
if (!existsSync(`${authDir}/keys.json`)) {
  execFileSync(process.execPath, [backendBin, "nats", "init", "--dir", authDir, "--listen", `127.0.0.1:${NATS_PORT}`], { stdio: "inherit" });
}
const natsBin = process.env.KANADE_NATS_SERVER_BIN ?? "nats-server";
start("nats-server", natsBin, ["-c", `${authDir}/nats-server.conf`, "-a", "127.0.0.1", "-p", String(NATS_PORT)]);
await waitPort(NATS_PORT, "nats-server");

const natsUrl = `nats://127.0.0.1:${NATS_PORT}`;
start("backend", process.execPath, [backendBin], {
  KANADE_BIND_ADDR: `127.0.0.1:${API_PORT}`,
  KANADE_NATS_URL: natsUrl,
  KANADE_NATS_AUTH_DIR: authDir,
  DATABASE_URL: `sqlite://${devDir}/kanade.db`,
  KANADE_AUTH_DISABLE: "1",
});
await waitPort(API_PORT, "kanade-backend");
// The agents trust the sandbox backend's command-signing keys (the backend keeps them beside its database);
// enrolled agents pin them instead.
const keySet = JSON.parse(readFileSync(`${devDir}/command-keys/command-keys.json`, "utf8"));
const commandKeys = keySet.keys.map((k) => k.public_key).join(",");

const ids = fleet > 0 ? Array.from({ length: fleet }, (_, i) => `dev-pc-${i + 1}`) : ["dev-pc"];
// One token for this run's agents: those not enrolled yet are accepted at once (already enrolled ones ignore it).
const token = JSON.parse(
  execFileSync(process.execPath, [`${root}packages/cli/bin/kanade.js`, "enroll-token", "create", "--uses", String(ids.length), "--expires", "1h", "--json"], {
    env: { ...process.env, KANADE_BACKEND_URL: `http://127.0.0.1:${API_PORT}` },
    encoding: "utf8",
  }),
).token;
// The agents start with the Node flags every real agent has (the single executable bakes them in).
const agentNodeFlags = JSON.parse(readFileSync(`${root}packages/agent/node-flags.json`, "utf8")).flags;
for (const id of ids) {
  start(id, process.execPath, [...agentNodeFlags, `${root}packages/agent/bin/kanade-agent.js`], {
    KANADE_NATS_URL: natsUrl,
    KANADE_AGENT_ID: id,
    KANADE_AGENT_DATA_DIR: `${devDir}/agent-${id}`,
    // Each dev agent its own KLP sockets (one agent per directory).
    KANADE_KLP_DIR: `${devDir}/klp-${id}`,
    KANADE_AGENT_CONFIG: `${root}configs/agent.dev.toml`,
    KANADE_COMMAND_KEYS: commandKeys,
    KANADE_ENROLL_CREDS: `${authDir}/enroll.creds`,
    KANADE_ENROLL_TOKEN: token,
  });
}

start("web", process.execPath, [`${root}node_modules/vite/bin/vite.js`, `${root}packages/web`], {
  KANADE_DEV_BACKEND_URL: `http://127.0.0.1:${API_PORT}`,
});
await waitPort(WEB_PORT, "web UI dev server");

console.log(`
kanade dev sandbox is up
  nats-server  ${natsUrl} (locked down: keys and JetStream data in .kanade/dev/nats-auth)
  backend      http://127.0.0.1:${API_PORT} (auth disabled, SQLite .kanade/dev/kanade.db)
  agents       ${ids.join(", ")} (each enrolled with its own broker credential)
  break-glass  nats --creds .kanade/dev/nats-auth/admin.creds -s ${natsUrl} …
  web UI       http://127.0.0.1:${WEB_PORT} (Vite dev server; the backend also serves the built UI at /)
try:
  export KANADE_BACKEND_URL=http://127.0.0.1:${API_PORT}
  npx kanade job create examples/jobs/hello.yaml
  npx kanade exec hello --pcs ${ids[0]} --wait
Ctrl+C stops everything.
`);
