/**
 * The seed's agent-mediated update flow, end to end with POSIX stand-ins: publish a "backend" binary
 * with `kanade app publish`, a deploy script with `kanade script publish`, a job that runs it as a
 * script_object, exec it on a PC. The script downloads the package with the bearer token, checks the
 * hex sha, swaps the binary and reports the new version.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionDetail, ResultRecord, StoredObject } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, startTestFleet, tempDir, type NatsServer, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";

const PC = "backend-host";
let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
let dir: TempDir;

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 60_000 });
async function json<T>(...args: string[]): Promise<T> {
  const r = await kanade(...args, "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  dir = tempDir("kanade-update-flow-");
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  fleet = await startTestFleet(nats.url, [PC]);
});
afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  dir?.remove();
});

function deployScript(knobs: { version: string; sha256: string; token: string; installDir: string }): string {
  return readFileSync(join(import.meta.dirname, "fixtures/deploy/backend.sh"), "utf8")
    .replace("@URL@", backend.url)
    .replace("@VERSION@", knobs.version)
    .replace("@SHA256@", knobs.sha256)
    .replace("@TOKEN@", knobs.token)
    .replace("@INSTALL_DIR@", knobs.installDir);
}

/** One job per script version, so no run races the agent's view of `script_current` for a re-versioned job. */
async function installJob(scriptVersion: string): Promise<ResultRecord> {
  const id = `install-backend-${scriptVersion.replaceAll(".", "-")}`;
  const yaml = join(dir.path, `${id}.yaml`);
  writeFileSync(yaml, `id: ${id}\nversion: ${scriptVersion}\nexecute:\n  shell: sh\n  script_object: deploy-backend/${scriptVersion}\n  timeout: 60s\n`);
  expect((await kanade("job", "create", yaml)).code).toBe(0);
  const run = await kanade("exec", id, "--pcs", PC, "--wait", "--json");
  const detail = JSON.parse(run.stdout) as ExecutionDetail;
  const resultId = detail.rows[0]?.result_id;
  expect(resultId).toBeTruthy();
  return (await backend.api<ResultRecord>("GET", `/api/results/${resultId}`)).body;
}

describe("agent-mediated update of a backend binary", () => {
  it("publishes, installs with verified digests and reports the new version; a wrong sha leaves the install alone", async () => {
    const binary = join(dir.path, "kanade-backend-0.2.0");
    writeFileSync(binary, "#!/bin/sh\necho 0.2.0\n");
    const pub = await kanade("app", "publish", "kanade-backend", "0.2.0", binary);
    expect(pub.code).toBe(0);
    const sha = /^sha256\s+([0-9a-f]{64})$/m.exec(pub.stdout)?.[1];
    expect(pub.stdout).toMatch(/^digest\s+SHA-256=[A-Za-z0-9_-]+=*$/m);
    expect(sha).toBeDefined();
    expect((await json<StoredObject[]>("app", "list")).map((o) => o.key)).toEqual(["kanade-backend/0.2.0"]);

    const installDir = join(dir.path, "install");
    const script = join(dir.path, "deploy-backend.sh");
    writeFileSync(script, deployScript({ version: "0.2.0", sha256: sha!, token: backend.token, installDir }));
    chmodSync(script, 0o644);
    expect((await kanade("script", "publish", "deploy-backend", "0.2.0", script)).code).toBe(0);

    const ok = await installJob("0.2.0");
    expect(ok.status).toBe("succeeded");
    expect(ok.stdout).toContain(`sha256 ${sha}`);
    expect(ok.stdout.trim().split("\n").at(-1)).toBe("kanade-backend 0.2.0");
    expect(readFileSync(join(installDir, "kanade-backend"), "utf8")).toBe("#!/bin/sh\necho 0.2.0\n");

    // A script whose knob names the wrong hash aborts before the swap.
    writeFileSync(join(installDir, "kanade-backend"), "#!/bin/sh\necho 0.1.0\n");
    writeFileSync(script, deployScript({ version: "0.2.0", sha256: "0".repeat(64), token: backend.token, installDir }));
    expect((await kanade("script", "publish", "deploy-backend", "0.2.1", script)).code).toBe(0);
    const bad = await installJob("0.2.1");
    expect(bad.status).toBe("failed");
    expect(bad.stderr).toContain("sha256 mismatch");
    expect(readFileSync(join(installDir, "kanade-backend"), "utf8")).toBe("#!/bin/sh\necho 0.1.0\n");

    // Without the token the package route answers 401 and the script fails.
    writeFileSync(script, deployScript({ version: "0.2.0", sha256: sha!, token: "", installDir }));
    expect((await kanade("script", "publish", "deploy-backend", "0.2.2", script)).code).toBe(0);
    const denied = await installJob("0.2.2");
    expect(denied.status).toBe("failed");
    expect(denied.stderr).toContain("401");
    expect(existsSync(join(installDir, "kanade-backend.new"))).toBe(false);
  }, 120_000);
});
