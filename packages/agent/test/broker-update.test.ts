/**
 * The agent on the broker host updates the broker it is connected to (deploy/linux/update-nats.sh,
 * the POSIX twin of scripts/deploy/nats.ps1's agent mode): real nats-server under a small supervisor
 * standing in for systemd, real backend and agent, the job fired through the API. The agent loses its
 * broker mid-run; its result is projected once the new broker is up, and nothing else is lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { freePort, natsServerPath, startTestBackend, startTestFleet, tempDir, waitFor, waitForPort, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const PC = "broker-host";
const NEW_VERSION = "2.9.10-kanade.1";
const sha256 = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

/** Starts nats-server from the installed path and starts it again whenever it exits (Restart=always). */
class Supervisor {
  starts = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  constructor(
    private readonly exe: string,
    private readonly args: string[],
    private readonly pidFile: string,
  ) {}
  start(): void {
    this.starts++;
    const child = spawn(this.exe, this.args, { stdio: "ignore" });
    this.child = child;
    writeFileSync(this.pidFile, String(child.pid));
    child.once("exit", () => {
      // Like systemd's RestartSec, but short: a crashing build is restarted a few times a second, not thousands.
      if (!this.stopping) setTimeout(() => this.stopping || this.start(), 200);
    });
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  stop(): void {
    this.stopping = true;
    this.child?.kill("SIGKILL");
  }
}

describe("install-kanade-nats-linux: the agent replaces and restarts the broker it talks to", () => {
  let dir: TempDir;
  let sup: Supervisor;
  let backend: TestBackend | undefined;
  let fleet: TestFleet | undefined;
  let installed: string;
  let port: number;
  let monitor: number;

  beforeAll(async () => {
    dir = tempDir("kanade-broker-update-");
    installed = dir.join("nats-server");
    copyFileSync(natsServerPath(), installed);
    chmodSync(installed, 0o755);
    port = await freePort();
    monitor = await freePort();
    sup = new Supervisor(installed, ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitor), "-js", "-sd", dir.join("js")], dir.join("nats.pid"));
    sup.start();
    await waitForPort(port, 15_000);
    const url = `nats://127.0.0.1:${port}`;
    backend = await startTestBackend(url);
    fleet = await startTestFleet(url, [PC]);
  });

  afterAll(async () => {
    await fleet?.close();
    await backend?.close();
    sup?.stop();
    dir?.remove();
  });

  type Row = { status: string; exit_code: number | null; stdout: string; stderr: string };

  const upload = async (path: string, body: Buffer | string, type = "application/octet-stream"): Promise<number> =>
    (await fetch(`${backend!.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${backend!.token}`, "content-type": type }, body: typeof body === "string" ? body : new Uint8Array(body) })).status;

  /** Publishes `binary` as nats-server <version>, the knob-edited script and the job; fires it; waits for the projected result. */
  async function updateBrokerTo(version: string, binary: Buffer): Promise<Row> {
    const api = backend!.api;
    expect(await upload(`/api/app-packages/nats-server/${version}`, binary)).toBe(201);

    // The operator's edit of the shipped script: the knobs, and the supervisor instead of systemctl.
    const restart = `pid=$(cat ${dir.join("nats.pid")}); kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done`;
    const knobs: Record<string, string> = {
      AGENT_SOURCE_URL: backend!.url,
      AGENT_SOURCE_VERSION: version,
      AGENT_SOURCE_SHA256: sha256(binary),
      AGENT_SOURCE_AUTH_TOKEN: backend!.token,
      INSTALL_PATH: installed,
      RESTART_COMMAND: restart,
      HEALTH_URL: `http://127.0.0.1:${monitor}/healthz`,
      HEALTH_TIMEOUT_SECS: "10",
    };
    let script = readFileSync(join(REPO, "deploy/linux/update-nats.sh"), "utf8");
    for (const [k, v] of Object.entries(knobs)) {
      const before = script;
      script = script.replace(new RegExp(`^${k}='[^']*'`, "m"), `${k}='${v.replaceAll("'", "'\\''")}'`);
      expect(script, `knob ${k} in update-nats.sh`).not.toBe(before);
    }
    expect(await upload(`/api/script-objects/deploy-nats-linux/${version}`, script)).toBe(201);

    // The shipped job manifest, pointed at this version; approval is covered by the approvals tests.
    const manifest = parseYaml(readFileSync(join(REPO, "configs/jobs/installers/install-kanade-nats-linux.yaml"), "utf8")) as Record<string, unknown>;
    const job = { ...manifest, version: version.replace(/-.*/, ""), require_approval: false, execute: { ...(manifest.execute as object), script_object: `deploy-nats-linux/${version}` } };
    expect([200, 201]).toContain(await upload("/api/jobs", toYaml(job), "application/yaml"));
    await waitFor(async () => ((await api<{ items: { pc_id: string }[] }>("GET", "/api/agents")).body.items.some((a) => a.pc_id === PC) ? true : undefined), { timeoutMs: 20_000 });

    const fired = await api<{ exec_id: string }>("POST", "/api/exec/install-kanade-nats-linux", { pcs: [PC] });
    expect(fired.status).toBe(202);
    const execId = fired.body.exec_id;
    return waitFor(
      async () => {
        const r = await api<{ items: Row[] }>("GET", `/api/results?exec_id=${execId}`);
        return r.status === 200 ? r.body.items[0] : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  }

  it("swaps the binary, restarts the broker, and the result arrives afterwards", async () => {
    const api = backend!.api;
    // The "new" build: the real nats-server with bytes appended, so its digest differs from the running one.
    const fresh = Buffer.concat([readFileSync(natsServerPath()), Buffer.from("\nkanade test build\n")]);
    const oldPid = sup.pid;
    const result = await updateBrokerTo(NEW_VERSION, fresh);
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ status: "succeeded", exit_code: 0 });
    expect(result.stdout).toContain(`sha256 ${sha256(fresh)}`);
    expect(result.stdout.trim().split("\n").at(-1)).toBe(`nats-server ${NEW_VERSION}`);

    // The broker really was replaced and restarted: once, from the new file.
    expect(sup.starts).toBe(2);
    expect(sup.pid).not.toBe(oldPid);
    expect(sha256(readFileSync(installed))).toBe(sha256(fresh));
    expect(readlinkSync(`/proc/${sup.pid}/exe`)).toBe(installed);
    // Nothing lost: JetStream kept the job catalogue, and the backend still reaches the broker.
    expect((await api("GET", "/api/jobs/install-kanade-nats-linux")).status).toBe(200);
    expect((await api("GET", `/api/app-packages`)).status).toBe(200);
  });

  it("puts the previous broker back when the new one does not come up, and the job fails saying so", async () => {
    const before = sha256(readFileSync(installed));
    const starts = sup.starts;
    const broken = Buffer.from("#!/bin/sh\necho 'this build is broken' >&2\nexit 1\n");
    const result = await updateBrokerTo("2.9.11-broken.1", broken);
    expect(result).toMatchObject({ status: "failed", exit_code: 1 });
    expect(result.stderr).toContain("did not answer");
    expect(result.stderr).toContain("the previous binary was restored");
    expect(sha256(readFileSync(installed))).toBe(before);
    expect(readlinkSync(`/proc/${sup.pid}/exe`)).toBe(installed);
    expect(sup.starts).toBeGreaterThan(starts + 1);
    await waitForPort(port, 15_000);
  });
});
