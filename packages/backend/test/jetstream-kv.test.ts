/** Raw KV and object store access against a real backend and nats-server: reads for viewers, writes for admins, audited. */
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, KvEntryView, ListResponse, LoginResponse, StoredObject } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { TOKEN, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string } };
const PASSWORD = "correct horse battery";

describe("jetstream kv and object routes", () => {
  const env = useBackendEnv();
  const tokens = new Map<string, string>([["admin", TOKEN]]);

  const as = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${env().backend.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(who)}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as unknown };
  };
  const errorOf = (r: { body: unknown }) => (r.body as ErrBody).error;

  beforeAll(async () => {
    for (const [username, role] of [["vera", "viewer"], ["otto", "operator"]] as const) {
      expect((await env().backend.api("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
      const r = await env().backend.api("POST", "/api/auth/login", { username, password: PASSWORD });
      tokens.set(role, (r.body as LoginResponse).token);
    }
  });

  it("puts, gets and deletes an entry, and the typed routes see the change", async () => {
    const put = await as("admin", "PUT", "/api/jetstream/kv/agent_groups/pc-7", { value: '{"groups":["lab","kiosk"]}' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ bucket: "agent_groups", key: "pc-7", revision: expect.any(Number) });

    const got = await as("viewer", "GET", "/api/jetstream/kv/agent_groups/pc-7");
    expect(got.status).toBe(200);
    const entry = got.body as KvEntryView;
    expect(entry).toMatchObject({ bucket: "agent_groups", key: "pc-7", value: '{"groups":["lab","kiosk"]}' });
    expect(entry.revision).toBe((put.body as { revision: number }).revision);
    expect(Date.parse(entry.created)).not.toBeNaN();
    expect((await env().backend.api("GET", "/api/agents/pc-7/groups")).body).toEqual({ pc_id: "pc-7", groups: ["kiosk", "lab"], static: ["kiosk", "lab"], dynamic: [] });

    const del = await as("admin", "DELETE", "/api/jetstream/kv/agent_groups/pc-7");
    expect(del).toEqual({ status: 200, body: { bucket: "agent_groups", key: "pc-7", deleted: true } });
    const gone = await as("viewer", "GET", "/api/jetstream/kv/agent_groups/pc-7");
    expect(gone.status).toBe(404);
    expect(errorOf(gone)).toEqual({ code: "NOT_FOUND", message: 'No key "pc-7" in KV bucket agent_groups' });
    expect((await as("admin", "DELETE", "/api/jetstream/kv/agent_groups/pc-7")).status).toBe(404);
  });

  it("audits writes and deletes with the actor and the bucket/key", async () => {
    expect((await as("admin", "PUT", "/api/jetstream/kv/script_current/audited", { value: "1.2.3" })).status).toBe(200);
    expect((await as("admin", "DELETE", "/api/jetstream/kv/script_current/audited")).status).toBe(200);
    const rows = await waitFor(async () => {
      const r = ((await env().backend.api("GET", "/api/audit?target=script_current/audited")).body as ListResponse<AuditRecord>).items;
      return r.length >= 2 ? r : undefined;
    }, { timeoutMs: 10_000, what: "kv audit rows" });
    expect(rows.map((r) => r.action).sort()).toEqual(["jetstream.kv.delete", "jetstream.kv.put"]);
    expect(rows.find((r) => r.action === "jetstream.kv.put")!.payload_summary).toMatchObject({ bucket: "script_current", key: "audited", bytes: 5 });
  });

  it("lets viewers read but only admins write", async () => {
    expect((await as("admin", "PUT", "/api/jetstream/kv/script_current/roles", { value: "1.0.0" })).status).toBe(200);
    expect((await as("viewer", "GET", "/api/jetstream/kv/script_current/roles")).status).toBe(200);
    for (const who of ["viewer", "operator"]) {
      for (const method of ["PUT", "DELETE"]) {
        const r = await as(who, method, "/api/jetstream/kv/script_current/roles", method === "PUT" ? { value: "2.0.0" } : undefined);
        expect(r.status, `${method} as ${who}`).toBe(403);
        expect(errorOf(r).message).toContain("needs the admin role");
      }
    }
    expect(((await as("viewer", "GET", "/api/jetstream/kv/script_current/roles")).body as KvEntryView).value).toBe("1.0.0");
  });

  it("refuses unknown buckets and stores, bad keys and values readers could not parse", async () => {
    const bucket = await as("admin", "GET", "/api/jetstream/kv/KV_jobs/x");
    expect(bucket.status).toBe(404);
    expect(errorOf(bucket)).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining('No KV bucket "KV_jobs"') });
    const store = await as("admin", "GET", "/api/jetstream/objects/nope");
    expect(store.status).toBe(404);
    expect(errorOf(store).message).toContain('No object store "nope"');
    expect((await as("admin", "PUT", "/api/jetstream/kv/nope/x", { value: "1" })).status).toBe(404);

    const cases: [string, unknown, RegExp][] = [
      ["agent_groups/pc-1", { value: '{"groups":"lab"}' }, /^invalid agent_groups value: groups: /],
      ["agent_groups/pc-1", { value: "lab" }, /^agent_groups values are JSON: /],
      ["agent_config/global", { value: '{"heartbeat_interval":"often"}' }, /heartbeat_interval: expected a duration/],
      ["agent_config/lab", { value: "{}" }, /agent_config keys are global, groups\.<group> or pcs\.<pc_id>/],
      ["script_status/hello", { value: "revoked" }, /^script_status values are ACTIVE or REVOKED/],
      ["script_status/hello", { status: "REVOKED" }, /unknown field\(s\): status/],
      ["script_current/a..b", { value: "1" }, /invalid KV key "a\.\.b"/],
    ];
    for (const [path, body, message] of cases) {
      const r = await as("admin", "PUT", `/api/jetstream/kv/${path}`, body);
      expect(r.status, path).toBe(400);
      expect(errorOf(r).code, path).toBe("BAD_REQUEST");
      expect(errorOf(r).message, path).toMatch(message);
    }
    expect((await as("admin", "GET", "/api/jetstream/kv/agent_groups/pc-1")).status).toBe(404);
  });

  it("lists an object store with size, both digest forms and mtime", async () => {
    const empty = await as("viewer", "GET", "/api/jetstream/objects/app_packages");
    expect(empty).toEqual({ status: 200, body: { items: [], next_cursor: null } });
    const res = await fetch(`${env().backend.url}/api/script-objects/tool/1.0.0`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/octet-stream" },
      body: "hello\n",
    });
    expect(res.status).toBe(201);
    const list = await as("viewer", "GET", "/api/jetstream/objects/scripts");
    expect(list.status).toBe(200);
    const [item] = (list.body as ListResponse<StoredObject>).items;
    expect(item).toMatchObject({
      key: "tool/1.0.0",
      size: 6,
      sha256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
      digest: "SHA-256=WJG1tSLV3whtD_CxEPvZ0hu0_HFjrzTQgoai6Eb2vgM=",
    });
    expect(Date.parse(item!.mtime)).not.toBeNaN();
  });
});
