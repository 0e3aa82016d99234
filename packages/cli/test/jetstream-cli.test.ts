/** The built `kanade jetstream kv|object` against a real backend and nats-server: raw values in and out, roles, exit codes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KvEntryView, LoginResponse, StoredObject } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, type NatsServer, type TestBackend } from "@kanade/testkit";

let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let viewerToken = "";

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  const password = "correct horse battery";
  expect((await admin(["account", "create", "vera", "--role", "viewer", "--password-stdin"], password + "\n")).code).toBe(0);
  const res = await fetch(`${backend.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "vera", password }),
  });
  viewerToken = ((await res.json()) as LoginResponse).token;
});
afterAll(async () => {
  await backend?.close();
  await nats?.dispose();
});

const admin = (args: string[], input?: string) => runCli(args, { backendUrl: backend!.url, token: backend!.token, timeoutMs: 30_000, ...(input ? { input } : {}) });
const viewer = (args: string[]) => runCli(args, { backendUrl: backend!.url, token: viewerToken, timeoutMs: 30_000 });

describe("kanade jetstream kv and object", () => {
  it("puts a value from an argument or stdin, gets it back raw, and deletes it", async () => {
    const put = await admin(["jetstream", "kv", "put", "agent_config", "groups.lab", '{"heartbeat_interval":"10s"}']);
    expect(put.stderr).toBe("");
    expect(put.stdout).toMatch(/^put agent_config\/groups\.lab \(revision \d+\)\n$/);
    const got = await viewer(["jetstream", "kv", "get", "agent_config", "groups.lab"]);
    expect(got).toMatchObject({ code: 0, stdout: '{"heartbeat_interval":"10s"}', stderr: "" });

    const piped = await admin(["jetstream", "kv", "put", "script_status", "hello", "-", "--json"], "REVOKED\n");
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ bucket: "script_status", key: "hello", revision: expect.any(Number) });
    const json = JSON.parse((await viewer(["jetstream", "kv", "get", "script_status", "hello", "--json"])).stdout) as KvEntryView;
    expect(json).toMatchObject({ bucket: "script_status", key: "hello", value: "REVOKED" });

    const del = await admin(["jetstream", "kv", "del", "script_status", "hello"]);
    expect(del).toMatchObject({ code: 0, stdout: "deleted script_status/hello\n" });
    const gone = await viewer(["jetstream", "kv", "get", "script_status", "hello"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('No key "hello" in KV bucket script_status');
  });

  it("exits 2 on bad input and 1 when the role is too low", async () => {
    const bucket = await viewer(["jetstream", "kv", "get", "nope", "k"]);
    expect(bucket.code).toBe(2);
    expect(bucket.stderr).toContain('unknown KV bucket "nope"');
    const value = await admin(["jetstream", "kv", "put", "agent_groups", "pc-1", "lab"]);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain("agent_groups values are JSON");
    const store = await viewer(["jetstream", "object", "list", "nope"]);
    expect(store.code).toBe(2);
    expect(store.stderr).toContain('unknown object store "nope"');
    const denied = await viewer(["jetstream", "kv", "put", "script_current", "x", "1.0.0"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/needs the admin role; "vera" is a viewer/);
  });

  it("lists an object store as a table or JSON", async () => {
    const empty = await viewer(["jetstream", "object", "list", "app_packages"]);
    expect(empty).toMatchObject({ code: 0, stdout: "NAME  SIZE  SHA256  MODIFIED\n" });
    const res = await fetch(`${backend!.url}/api/script-objects/tool/1.0.0`, {
      method: "POST",
      headers: { authorization: `Bearer ${backend!.token}`, "content-type": "application/octet-stream" },
      body: "hello\n",
    });
    expect(res.status).toBe(201);
    const table = await viewer(["jetstream", "object", "list", "scripts"]);
    expect(table.stdout).toMatch(/^NAME\s+SIZE\s+SHA256\s+MODIFIED\ntool\/1\.0\.0\s+6\s+5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03\s+\d{4}-\d\d-\d\dT/);
    const items = JSON.parse((await viewer(["jetstream", "object", "list", "scripts", "--json"])).stdout) as StoredObject[];
    expect(items).toEqual([expect.objectContaining({ key: "tool/1.0.0", size: 6, digest: "SHA-256=WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM=" })]);
  });
});
