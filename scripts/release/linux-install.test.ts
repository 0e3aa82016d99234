/**
 * deploy/linux/install.sh and uninstall.sh, run for real into a scratch root (DESTDIR): the files,
 * their modes, `systemd-analyze verify` of the installed units, the installed nats-server started with
 * the installed config and secret, and a safe-then-purge uninstall that can be run twice.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, natsServerPath, tempDir, waitForPort, type TempDir } from "@kanade/testkit";

const LINUX = fileURLToPath(new URL("../../deploy/linux/", import.meta.url));
const TOKEN = "linux-install-token-0123456789";
const STATIC = "static-token-0123456789abcdefghijklmnop";
const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

function sh(script: string, args: string[], destdir: string): { code: number | null; out: string; err: string } {
  const r = spawnSync("sh", [join(LINUX, script), ...args], { env: { ...process.env, DESTDIR: destdir }, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe("deploy/linux install.sh / uninstall.sh into a scratch root", () => {
  let dir: TempDir;
  let root: string;
  let source: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dir = tempDir("kanade-linux-install-");
    root = dir.join("root");
    source = dir.join("dist");
    mkdirSync(source);
    for (const exe of ["kanade-agent-linux-x64", "kanade-backend-linux-x64"]) {
      writeFileSync(join(source, exe), "#!/bin/sh\necho fake\n");
      chmodSync(join(source, exe), 0o755);
    }
    copyFileSync(natsServerPath(), join(source, "nats-server"));
  });
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    dir.remove();
  });

  it("installs the three roles: binaries, units, config 0644, secrets 0600", () => {
    for (const role of ["agent", "backend", "nats"]) {
      const r = sh("install.sh", [role, "--source", source, "--nats-token", TOKEN, "--static-token", STATIC], root);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toContain("DESTDIR set: files only, no systemctl");
    }
    for (const exe of ["kanade-agent", "kanade-backend", "nats-server"]) expect(mode(join(root, "opt/kanade/bin", exe))).toBe("755");
    expect(readdirSync(join(root, "etc/systemd/system")).sort()).toEqual(["kanade-agent.service", "kanade-backend.service", "kanade-nats.service"]);
    for (const f of ["agent.toml", "backend.toml", "nats-server.conf"]) expect(mode(join(root, "etc/kanade", f))).toBe("644");
    for (const f of ["agent.env", "backend.env", "nats.env"]) {
      expect(mode(join(root, "etc/kanade", f))).toBe("600");
      expect(readFileSync(join(root, "etc/kanade", f), "utf8")).toContain(`KANADE_NATS_TOKEN=${TOKEN}\n`);
    }
    expect(readFileSync(join(root, "etc/kanade/backend.env"), "utf8")).toContain(`KANADE_AUTH_STATIC_TOKEN=${STATIC}\n`);
    expect(readFileSync(join(root, "etc/kanade/backend.toml"), "utf8")).toContain('database_url = "sqlite:///var/lib/kanade-backend/kanade.db"');
    // No secret in a world-readable file.
    for (const f of ["agent.toml", "backend.toml", "nats-server.conf"]) expect(readFileSync(join(root, "etc/kanade", f), "utf8")).not.toContain(TOKEN);
  });

  it("refuses bad input with a message naming the option", () => {
    expect(sh("install.sh", ["broker"], root)).toMatchObject({ code: 2, err: expect.stringContaining("usage: install.sh <agent|backend|nats>") });
    const r = sh("install.sh", ["agent", "--source", source, "--nats-token", 'bad"token'], root);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--nats-token");
    expect(sh("install.sh", ["agent", "--source", dir.join("nowhere")], root).err).toContain("missing");
  });

  it("keeps an edited config on a re-install unless --force-config", () => {
    const toml = join(root, "etc/kanade/agent.toml");
    writeFileSync(toml, 'nats_url = "nats://edited:4222"\n');
    expect(sh("install.sh", ["agent", "--source", source], root).out).toContain("keeping the existing");
    expect(readFileSync(toml, "utf8")).toContain("edited");
    // The stored secret is kept too (no --nats-token this time).
    expect(readFileSync(join(root, "etc/kanade/agent.env"), "utf8")).toContain(TOKEN);
    sh("install.sh", ["agent", "--source", source, "--nats-url", "nats://broker:4222", "--force-config"], root);
    expect(readFileSync(toml, "utf8")).toContain('nats_url = "nats://broker:4222"');
  });

  it.skipIf(!hasSystemdAnalyze)("the installed units pass systemd-analyze verify", () => {
    // systemd-analyze resolves the units' dependencies inside the root: give it the stock targets and slices.
    const units = join(root, "usr/lib/systemd/system");
    mkdirSync(units, { recursive: true });
    for (const f of readdirSync("/usr/lib/systemd/system")) {
      if (/\.(target|slice)$/.test(f) && statSync(join("/usr/lib/systemd/system", f)).isFile()) copyFileSync(join("/usr/lib/systemd/system", f), join(units, f));
    }
    const installed = readdirSync(join(root, "etc/systemd/system")).map((f) => join(root, "etc/systemd/system", f));
    const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, ...installed], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("the installed nats-server runs with the installed config and secret: token required", async () => {
    const port = await freePort();
    const monitor = await freePort();
    const env = Object.fromEntries(
      readFileSync(join(root, "etc/kanade/nats.env"), "utf8")
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    // The scratch root is not /: its absolute /var/lib paths are mapped into it, and the ports are free ones.
    const conf = dir.join("nats-server.mapped.conf");
    writeFileSync(conf, readFileSync(join(root, "etc/kanade/nats-server.conf"), "utf8").replaceAll('"/var/lib/', `"${root}/var/lib/`));
    const child = spawn(join(root, "opt/kanade/bin/nats-server"), ["-c", conf, "-a", "127.0.0.1", "-p", String(port), "-m", String(monitor)], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    children.push(child);
    await waitForPort(port, 15_000);
    const nc = await connect({ servers: `nats://127.0.0.1:${port}`, token: TOKEN });
    await nc.flush();
    await nc.close();
    await expect(connect({ servers: `nats://127.0.0.1:${port}`, token: "wrong", reconnect: false })).rejects.toThrow(/Authorization/i);
    child.kill("SIGTERM");
  });

  it("uninstall keeps config, secrets and state; --purge removes them; a second run skips", () => {
    mkdirSync(join(root, "var/lib/kanade-nats/jetstream"), { recursive: true });
    const safe = sh("uninstall.sh", ["nats"], root);
    expect(safe.code).toBe(0);
    expect(existsSync(join(root, "opt/kanade/bin/nats-server"))).toBe(false);
    expect(existsSync(join(root, "etc/systemd/system/kanade-nats.service"))).toBe(false);
    expect(existsSync(join(root, "etc/kanade/nats-server.conf"))).toBe(true);
    expect(existsSync(join(root, "etc/kanade/nats.env"))).toBe(true);
    expect(existsSync(join(root, "var/lib/kanade-nats/jetstream"))).toBe(true);

    const purge = sh("uninstall.sh", ["nats", "--purge"], root);
    expect(purge.code).toBe(0);
    expect(purge.err).toContain("DELETES ALL JETSTREAM DATA");
    expect(existsSync(join(root, "etc/kanade/nats-server.conf"))).toBe(false);
    expect(existsSync(join(root, "etc/kanade/nats.env"))).toBe(false);
    expect(existsSync(join(root, "var/lib/kanade-nats"))).toBe(false);
    // The other roles' files are untouched.
    expect(existsSync(join(root, "etc/kanade/agent.toml"))).toBe(true);
    expect(existsSync(join(root, "opt/kanade/bin/kanade-backend"))).toBe(true);

    const again = sh("uninstall.sh", ["nats", "--purge"], root);
    expect(again.code).toBe(0);
    expect(again.out).toContain("not present, skipping");

    for (const role of ["agent", "backend"]) expect(sh("uninstall.sh", [role, "--purge"], root).code).toBe(0);
    expect(existsSync(join(root, "opt/kanade"))).toBe(false);
    expect(existsSync(join(root, "etc/kanade"))).toBe(false);
  });
});
