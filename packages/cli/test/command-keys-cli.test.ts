/**
 * Rotating the command-signing key with the CLI: add a key, retire the active one; an enrolled agent (its keys
 * pinned, not configured) follows the signed key sets and keeps running what the backend sends, signed by the
 * new key, without being enrolled again. Real nats-server, backend, agent and `kanade` processes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "@kanade/agent";
import type { AuditRecord, CommandKeyInfo, ExecutionDetail } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, tempDir, testLogger, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";

const PC = "ck-pc";
let nats: NatsServer;
let backend: TestBackend;
let agent: RunningAgent | undefined;
const dir = tempDir("kanade-command-keys-cli-");
const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 30_000 });
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await kanade(...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};
const runHello = async (version: string): Promise<ExecutionDetail> => {
  const yaml = join(dir.path, `ck-${version}.yaml`);
  writeFileSync(yaml, `id: ck-hello\nversion: ${version}\nexecute:\n  shell: sh\n  script: echo signed\n`);
  expect((await kanade("job", "create", yaml)).code).toBe(0);
  const r = await kanade("exec", "ck-hello", "--pcs", PC, "--wait", "--json");
  return JSON.parse(r.stdout) as ExecutionDetail;
};

beforeAll(async () => {
  nats = await startNatsServer();
  // Its own keys directory: this test rotates keys.
  backend = await startTestBackend(nats.url, { commandKeysDir: dir.join("backend-keys") });
  const keys = (await json<CommandKeyInfo[]>("command-keys", "list")).map(({ kid, public_key }) => ({ kid, public_key }));
  // As enrollment leaves an agent: the backend's keys pinned in its data dir, none configured.
  const data = dir.join(PC);
  mkdirSync(join(data, "state"), { recursive: true, mode: 0o700 });
  writeFileSync(join(data, "state", "command-keys.json"), JSON.stringify({ sequence: 0, keys }), { mode: 0o600 });
  agent = await startAgent({ pcId: PC, natsUrl: nats.url, dataDir: data, logLevel: "silent", heartbeatIntervalMs: 1_000, commandKeys: [] }, { log: testLogger(PC) });
  await waitFor(async () => (await json<{ pc_id: string; online: boolean }[]>("agents")).some((a) => a.pc_id === PC && a.online), { what: `${PC} online` });
});

afterAll(async () => {
  await agent?.stop();
  await backend?.close();
  await nats?.dispose();
  dir.remove();
});

describe("kanade command-keys", () => {
  it("rotates the signing key without re-enrolling the agent", async () => {
    expect((await runHello("1.0.0")).rows).toMatchObject([{ pc_id: PC, status: "succeeded" }]);
    const [first] = await json<CommandKeyInfo[]>("command-keys", "list");
    expect(first).toMatchObject({ status: "active" });

    const added = await json<CommandKeyInfo>("command-keys", "add");
    expect(added.status).toBe("next");
    // Until the active key is retired, commands are still signed by it.
    expect((await runHello("1.0.1")).rows).toMatchObject([{ status: "succeeded" }]);

    const retired = await json<CommandKeyInfo>("command-keys", "retire", first!.kid);
    expect(retired.status).toBe("retired");
    const list = await json<CommandKeyInfo[]>("command-keys", "list");
    expect(list.map((k) => [k.kid, k.status])).toEqual([
      [first!.kid, "retired"],
      [added.kid, "active"],
    ]);
    // Signed by the new key now; the agent followed the key sets, so it runs.
    await waitFor(async () => (await runHello(`1.0.${2 + Math.floor(Math.random() * 1e6)}`)).rows[0]?.status === "succeeded", {
      timeoutMs: 30_000,
      what: "a command signed by the new key to run",
    });
    const audit = await json<AuditRecord[]>("audit", "--action", "command_key.*");
    expect(audit.map((a) => a.action).sort()).toEqual(["command_key.add", "command_key.retire"]);
  });
});
