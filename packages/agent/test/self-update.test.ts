/**
 * A real self-update on Linux: agent builds v1, v2 and a crash-looping v3 (the same bundle with a
 * different version stamp; v3's program throws while its modules load, after the boot entry ran the
 * guard), each behind a launcher script that plays
 * "the executable". A supervisor restarts the agent on non-zero exits, as a service manager would.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, startTestBackend, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";
import { supervise, type Supervisor } from "./supervisor.js";

const PC = "update-pc";
const repo = join(import.meta.dirname, "../../..");

let server: NatsServer;
let backend: TestBackend;
let dir: TempDir;
let sup: Supervisor | undefined;

function bundle(version: string, entry?: string): string {
  const out = join(dir.path, `agent-${version}.cjs`);
  const args = ["scripts/build-release.mjs", "--bundle-agent", out, "--version", version, ...(entry ? ["--entry", entry] : [])];
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bundling ${version} failed: ${r.stderr}`);
  return out;
}

const launcher = (bundlePath: string): string => `#!/bin/sh\nexec "${process.execPath}" "${bundlePath}" "$@"\n`;

async function publish(version: string, content: string): Promise<void> {
  const res = await fetch(`${backend.url}/api/agent-releases?version=${version}&platform=linux-x64`, {
    method: "POST",
    headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/octet-stream" },
    body: content,
  });
  expect(res.status).toBe(201);
}

interface AgentView {
  agent_version: string;
  quarantined_versions: string[];
}
const agentView = async (): Promise<AgentView | undefined> => {
  const r = await backend.api<AgentView>("GET", `/api/agents/${PC}`);
  return r.status === 200 ? r.body : undefined;
};

beforeAll(async () => {
  dir = tempDir("kanade-self-update-");
  server = await startNatsServer();
  backend = await startTestBackend(server.url);
});

afterAll(async () => {
  await sup?.stop();
  await backend?.close();
  await server?.dispose();
  dir?.remove();
});

describe("agent self-update", () => {
  it("updates v1 → v2 on a rollout, and rolls a crash-looping v3 back to v2 and quarantines it", async () => {
    const v1 = bundle("1.0.0");
    const v2 = bundle("2.0.0");
    const v3 = bundle("3.0.0", join(import.meta.dirname, "fixtures/broken-agent.ts"));
    const exe = join(dir.path, "kanade-agent");
    writeFileSync(exe, launcher(v1));
    chmodSync(exe, 0o755);
    sup = supervise(
      exe,
      {
        PATH: process.env.PATH,
        KANADE_NATS_URL: server.url,
        KANADE_AGENT_ID: PC,
        KANADE_AGENT_DATA_DIR: join(dir.path, "data"),
        KANADE_AGENT_EXE: exe,
        KANADE_LOG: "info",
      },
      join(dir.path, "agent.log"),
    );
    await waitFor(async () => (await agentView())?.agent_version === "1.0.0" || undefined, { what: "v1 heartbeat", timeoutMs: 30_000 });

    // Refused until the version is published.
    expect((await backend.api("POST", "/api/agent-rollout", { version: "2.0.0", pcs: [PC] })).status).toBe(409);
    await publish("2.0.0", launcher(v2));
    expect((await backend.api("POST", "/api/agent-rollout", { version: "2.0.0", pcs: [PC] })).status).toBe(200);
    await waitFor(async () => (await agentView())?.agent_version === "2.0.0" || undefined, { what: "v2 heartbeat", timeoutMs: 30_000 });
    expect(readFileSync(exe, "utf8")).toBe(launcher(v2));
    await waitFor(() => !existsSync(`${exe}.old`) || undefined, { what: "the new process to remove <exe>.old" });
    expect(sup.exits).toEqual([64]);

    await publish("3.0.0", launcher(v3));
    expect((await backend.api("POST", "/api/agent-rollout", { version: "3.0.0", pcs: [PC] })).status).toBe(200);
    const back = await waitFor(
      async () => {
        const a = await agentView();
        return a?.quarantined_versions.includes("3.0.0") ? a : undefined;
      },
      { what: "v3 to be quarantined", timeoutMs: 45_000 },
    );
    expect(back.agent_version).toBe("2.0.0");
    expect(back.quarantined_versions).toEqual(["3.0.0"]);
    expect(readFileSync(exe, "utf8")).toBe(launcher(v2));
    // v3 was moved aside (Windows cannot overwrite a running image); the healthy v2 removes it.
    await waitFor(() => !existsSync(`${exe}.bad`) || undefined, { what: "v2 to remove <exe>.bad" });
    // v2 swapped to v3 (64); v3 failed three starts (1, 1, 1); its fourth start rolled back (64).
    expect(sup.exits).toEqual([64, 64, 1, 1, 1, 64]);
    const current = (await backend.api<{ quarantined: { pc_id: string; versions: string[] }[] }>("GET", "/api/agent-rollout")).body;
    expect(current.quarantined).toEqual([{ pc_id: PC, versions: ["3.0.0"] }]);
  }, 120_000);
});
