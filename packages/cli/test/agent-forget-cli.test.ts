/**
 * `kanade agent forget <pc>` and `kanade agent delete-release <key>` as processes against the real
 * backend: real agents that are then decommissioned, and agent builds published with the CLI.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentRelease, AgentSummary } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";

let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
let dir: TempDir;

beforeAll(async () => {
  dir = tempDir("kanade-agent-forget-");
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  fleet = await startTestFleet(nats.url, ["old-pc-1", "old-pc-2", "live-pc"]);
});
afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  dir?.remove();
});

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 30_000 });
async function json<T>(...args: string[]): Promise<T> {
  const r = await kanade(...args, "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}
const agentIds = async (): Promise<string[]> => (await json<AgentSummary[]>("agents")).map((a) => a.pc_id).sort();

describe("kanade agent forget", () => {
  it("forgets decommissioned PCs, in text and JSON, and fails with the API's message for an unknown one", async () => {
    await waitFor(async () => (await agentIds()).length === 3 || undefined, { what: "three agents to send a heartbeat", timeoutMs: 20_000 });
    await fleet.stop("old-pc-1");
    await fleet.stop("old-pc-2");

    const text = await kanade("agent", "forget", "old-pc-1");
    expect(text).toMatchObject({ code: 0, stdout: "forgot agent old-pc-1\n", stderr: "" });
    expect(await json("agent", "forget", "old-pc-2")).toEqual({ pc_id: "old-pc-2", deleted: true });
    expect(await agentIds()).toEqual(["live-pc"]);
    expect((await kanade("agent", "show", "old-pc-1")).code).toBe(1);

    const again = await kanade("agent", "forget", "old-pc-1");
    expect(again).toMatchObject({ code: 1, stdout: "", stderr: 'error: No agent "old-pc-1"\n' });
    const againJson = await kanade("agent", "forget", "never-seen", "--json");
    expect(againJson).toMatchObject({ code: 1, stdout: "", stderr: 'error: No agent "never-seen"\n' });
    expect((await kanade("agent", "forget")).code).toBe(2);
  });
});

describe("kanade agent delete-release", () => {
  it("deletes one build by key, in text and JSON; a deleted version can no longer be rolled out", async () => {
    const file = join(dir.path, "agent.sh");
    writeFileSync(file, "#!/bin/sh\necho agent\n");
    for (const v of ["1.0.0", "2.0.0"]) {
      // `--version` here is the command's option, not `kanade --version` (which printed 0.1.0 and published nothing).
      const pub = await kanade("agent", "publish", file, "--version", v, "--platform", "linux-x64");
      expect(pub).toMatchObject({ code: 0, stderr: "" });
      expect(pub.stdout).toContain(`published agent ${v} for linux-x64 as ${v}-linux-x64`);
    }
    expect((await json<AgentRelease[]>("agent", "releases")).map((r) => r.key).sort()).toEqual(["1.0.0-linux-x64", "2.0.0-linux-x64"]);

    expect(await json("agent", "delete-release", "1.0.0-linux-x64")).toEqual({ key: "1.0.0-linux-x64", deleted: true });
    const text = await kanade("agent", "delete-release", "2.0.0-linux-x64");
    expect(text).toMatchObject({ code: 0, stdout: "deleted agent build 2.0.0-linux-x64\n", stderr: "" });
    expect(await json<AgentRelease[]>("agent", "releases")).toEqual([]);

    const again = await kanade("agent", "delete-release", "2.0.0-linux-x64");
    expect(again).toMatchObject({ code: 1, stdout: "", stderr: 'error: No object "2.0.0-linux-x64" in agent_releases\n' });
    const rollout = await kanade("agent", "rollout", "1.0.0", "--global");
    expect(rollout.code).toBe(1);
    expect(rollout.stderr).toContain('agent version "1.0.0" is not published');
    // Not a key at all: the API answers 400, which is bad input.
    expect((await kanade("agent", "delete-release", "no/such key")).code).toBe(2);
  });
});
