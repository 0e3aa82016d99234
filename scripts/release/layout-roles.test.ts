/** layout-roles.ts run as the real CLI (tsx) over a temp dist/ of fake executables. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { winswXmlFor } from "./winsw-xml.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(REPO, "scripts/release/layout-roles.ts");
const TSX = join(REPO, "node_modules/.bin/tsx");

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(TSX, [CLI, ...args], { cwd: REPO, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe("layout-roles", () => {
  let tmp: TempDir;
  let dist: string;
  let winsw: string;
  let nats: string;
  const fake = (path: string, text: string): void => writeFileSync(path, text, { mode: 0o755 });

  beforeEach(() => {
    tmp = tempDir("kanade-layout-");
    dist = tmp.join("dist");
    mkdirSync(dist);
    for (const exe of ["kanade-agent.exe", "kanade-agent-linux-x64", "kanade-backend.exe", "kanade-backend-linux-x64", "kanade.mjs", "kanade-client.exe", "kanade-client-linux-x64"]) fake(join(dist, exe), `fake ${exe}`);
    winsw = tmp.join("WinSW.exe");
    fake(winsw, "fake winsw");
    nats = tmp.join("nats-server.exe");
    fake(nats, "fake nats-server.exe");
  });
  afterEach(() => tmp.remove());

  it("lays out the four roles with executables, scripts, wrapper, XML, Linux units and a README", () => {
    const r = run(["--dist", dist, "--roles", "agent,backend,nats,client", "--nats-server", nats, "--winsw", winsw]);
    expect(r.err).not.toMatch(/layout-roles: /);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { roles: Record<string, string[]> };
    expect(Object.keys(summary.roles)).toEqual(["agent", "backend", "nats", "client"]);

    expect(tree(join(dist, "agent"))).toEqual([
      "KanadeAgent.exe", "KanadeAgent.exe.config", "KanadeAgent.xml", "README.md", "deploy-agent.ps1", "kanade-agent-linux-x64", "kanade-agent.exe",
      "kanade-common.ps1", "linux/install.sh", "linux/systemd/kanade-agent.service", "linux/uninstall.sh", "undeploy-agent.ps1",
    ]);
    expect(tree(join(dist, "backend"))).toEqual([
      "KanadeBackend.exe", "KanadeBackend.exe.config", "KanadeBackend.xml", "README.md", "deploy-backend.ps1", "install-kanade-backend.yaml",
      "kanade-backend-linux-x64", "kanade-backend.exe", "kanade-common.ps1", "kanade.mjs", "linux/install.sh", "linux/systemd/kanade-backend.service",
      "linux/uninstall.sh", "undeploy-backend.ps1",
    ]);
    expect(tree(join(dist, "nats"))).toEqual([
      "KanadeNats.exe", "KanadeNats.exe.config", "KanadeNats.xml", "README.md", "deploy-nats.ps1", "install-kanade-nats-linux.yaml", "install-kanade-nats.yaml",
      "kanade-common.ps1", "linux/install.sh", "linux/systemd/kanade-nats.service", "linux/uninstall.sh", "linux/update-nats.sh", "nats-server.exe", "undeploy-nats.ps1",
    ]);
    expect(tree(join(dist, "client"))).toEqual([
      "README.md", "deploy-client.ps1", "install-kanade-client-linux.yaml", "install-kanade-client.yaml", "kanade-client-linux-x64", "kanade-client.exe",
      "kanade-common.ps1", "linux/install-client.sh", "undeploy-client.ps1",
    ]);
    expect(statSync(join(dist, "client/linux/install-client.sh")).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(dist, "client/deploy-client.ps1"), "utf8")).toBe(readFileSync(join(REPO, "scripts/deploy/client.ps1"), "utf8"));

    // Real contents, not placeholders.
    expect(readFileSync(join(dist, "nats/nats-server.exe"), "utf8")).toBe("fake nats-server.exe");
    expect(readFileSync(join(dist, "agent/KanadeAgent.exe"), "utf8")).toBe("fake winsw");
    expect(readFileSync(join(dist, "agent/KanadeAgent.xml"), "utf8")).toBe(winswXmlFor("agent"));
    expect(readFileSync(join(dist, "backend/deploy-backend.ps1"), "utf8")).toBe(readFileSync(join(REPO, "scripts/deploy/backend.ps1"), "utf8"));
    expect(statSync(join(dist, "agent/linux/install.sh")).mode & 0o111).not.toBe(0);
    const readme = readFileSync(join(dist, "nats/README.md"), "utf8");
    expect(readme).toContain("deploy-nats.ps1");
    expect(readme).toContain("docs/operator/deploy.md");
  });

  it("leaves out a platform whose build is missing, and says so", () => {
    const r = run(["--dist", dist, "--roles", "agent", "--winsw", winsw]);
    expect(r.code).toBe(0);
    spawnSync("rm", [join(dist, "kanade-agent-linux-x64")]);
    const again = run(["--dist", dist, "--roles", "agent", "--winsw", winsw]);
    expect(again.code).toBe(0);
    expect(again.err).toContain("kanade-agent-linux-x64 not in");
    expect(existsSync(join(dist, "agent/kanade-agent-linux-x64"))).toBe(false);
    expect(existsSync(join(dist, "agent/kanade-agent.exe"))).toBe(true);
  });

  it("refuses bad input with exit 2 and names what is wrong", () => {
    expect(run(["--dist", dist, "--roles", "agent,broker", "--winsw", winsw])).toMatchObject({ code: 2, err: expect.stringContaining("unknown: broker") });
    expect(run(["--dist", dist, "--roles", "nats", "--winsw", winsw])).toMatchObject({ code: 2, err: expect.stringContaining("--nats-server") });
    expect(run(["--dist", dist, "--roles", "nats", "--winsw", winsw, "--nats-server", tmp.join("none.exe")])).toMatchObject({ code: 2, err: expect.stringContaining("no file at") });
    expect(run(["--dist", tmp.join("nodist"), "--roles", "agent", "--winsw", winsw])).toMatchObject({ code: 2, err: expect.stringContaining("--dist") });
    spawnSync("rm", [join(dist, "kanade-backend.exe"), join(dist, "kanade-backend-linux-x64"), join(dist, "kanade.mjs")]);
    expect(run(["--dist", dist, "--roles", "backend", "--winsw", winsw])).toMatchObject({ code: 2, err: expect.stringContaining("needs kanade-backend.exe or") });
  });
});
