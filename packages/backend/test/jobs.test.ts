import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { BUCKETS, STREAMS, subjects } from "@kanade/protocol";
import { HELLO_YAML, TOKEN, wrap, useBackendEnv } from "./helpers.js";

const INVALID_DIR = join(import.meta.dirname, "../../../examples/jobs/invalid");
/** The field each invalid example gets wrong; the API must name it in `details`. */
const EXPECTED_PATHS: Record<string, string[]> = {
  "bad-shell.yaml": ["execute.shell"],
  "bad-version.yaml": ["version", "execute.timeout"],
  "no-source.yaml": ["execute"],
  "two-sources.yaml": ["execute"],
};

type ErrBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

describe("auth, jobs, scripts and groups routes", () => {
  const env = useBackendEnv();

  it("needs a bearer token on /api except GET /api/version; /health is open", async () => {
    const anon = wrap(env().backend, undefined).api;
    const r401 = await anon("GET", "/api/jobs");
    expect(r401.status).toBe(401);
    expect((r401.body as ErrBody).error.code).toBe("UNAUTHORIZED");
    expect((await wrap(env().backend, "wrong").api("GET", "/api/jobs")).status).toBe(401);
    expect((await env().backend.api("GET", "/api/jobs")).status).toBe(200);

    const version = await anon("GET", "/api/version");
    expect(version.status).toBe(200);
    expect(version.body).toMatchObject({ name: "kanade-backend", protocol: 1 });
    expect((await anon("GET", "/health")).body).toEqual({ status: "ok", nats: "connected", db: "ok" });
  });

  it("answers unknown routes with 404 NOT_FOUND", async () => {
    const r = await env().backend.api("GET", "/api/nope");
    expect(r.status).toBe(404);
    expect((r.body as ErrBody).error.code).toBe("NOT_FOUND");
  });

  it("creates a job from YAML, lists, shows, exports and deletes (which revokes) it", async () => {
    const created = await env().backend.api("POST", "/api/jobs", HELLO_YAML);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: "hello", version: "1.0.0" });

    const list = await env().backend.api("GET", "/api/jobs");
    expect(list.body).toEqual({
      items: [{ id: "hello", version: "1.0.0", description: "Say hello", shell: "sh", require_approval: false, status: "ACTIVE", inventory: false }],
      next_cursor: null,
    });
    const show = await env().backend.api("GET", "/api/jobs/hello");
    expect(show.body).toMatchObject({ id: "hello", status: "ACTIVE", manifest: { execute: { shell: "sh", timeout: "30s" } } });
    const yaml = await env().backend.api("GET", "/api/jobs/hello/yaml");
    expect(yaml.text).toBe(HELLO_YAML);

    const kv = await new Kvm(jetstream(env().nc)).open(BUCKETS.scriptStatus);
    expect((await kv.get("hello"))?.string()).toBe("ACTIVE");

    const jsm = await jetstreamManager(env().nc);
    const audit = await jsm.streams.getMessage(STREAMS.AUDIT, { last_by_subj: subjects.audit("job.create") });
    expect(audit?.json()).toMatchObject({ actor: "static-token", action: "job.create", target: "hello", payload_summary: { version: "1.0.0" } });

    expect((await env().backend.api("DELETE", "/api/jobs/hello")).status).toBe(200);
    expect((await kv.get("hello"))?.string()).toBe("REVOKED");
    const gone = await env().backend.api("GET", "/api/jobs/hello");
    expect(gone.status).toBe(404);
    expect((gone.body as ErrBody).error.code).toBe("JOB_NOT_FOUND");
    expect((await env().backend.api("DELETE", "/api/jobs/hello")).status).toBe(404);
  });

  it("creates a job from a JSON manifest and keeps a YAML rendering of it", async () => {
    const manifest = { id: "json-job", version: "2.0.0", execute: { shell: "bash", script: "echo hi" } };
    const r = await env().backend.api("POST", "/api/jobs", manifest);
    expect(r.status).toBe(201);
    const again = await env().backend.api("POST", "/api/jobs", manifest);
    expect(again.status).toBe(200);
    const yaml = await env().backend.api("GET", "/api/jobs/json-job/yaml");
    expect(yaml.text).toContain("id: json-job");
    expect(yaml.text).toContain("script: echo hi");
  });

  for (const file of readdirSync(INVALID_DIR)) {
    it(`refuses invalid/${file} with 400 naming the bad field`, async () => {
      const r = await env().backend.api("POST", "/api/jobs", readFileSync(join(INVALID_DIR, file), "utf8"));
      expect(r.status).toBe(400);
      const body = r.body as ErrBody;
      expect(body.error.code).toBe("INVALID_MANIFEST");
      const paths = body.error.details?.map((d) => d.path) ?? [];
      for (const p of EXPECTED_PATHS[file] ?? ["<missing expectation>"]) {
        expect(paths).toContain(p);
        expect(body.error.message).toContain(p);
      }
    });
  }

  it("refuses a manifest whose script is still a script_file", async () => {
    const r = await env().backend.api("POST", "/api/jobs", { id: "x", version: "1.0.0", execute: { shell: "sh", script_file: "a.sh" } });
    expect(r.status).toBe(400);
    expect((r.body as ErrBody).error.details).toEqual([{ path: "execute.script_file", message: expect.stringContaining("inlines") }]);
  });

  it("revokes and unrevokes a job's script", async () => {
    await env().backend.api("POST", "/api/jobs", HELLO_YAML);
    expect((await env().backend.api("POST", "/api/jobs/hello/revoke")).body).toEqual({ id: "hello", status: "REVOKED" });
    expect(((await env().backend.api("GET", "/api/jobs/hello")).body as { status: string }).status).toBe("REVOKED");
    // An empty body labelled as JSON (what browsers send) is fine; broken JSON is a 400.
    const emptyJson = await env().backend.api("POST", "/api/jobs/hello/unrevoke", undefined, { "content-type": "application/json" });
    expect(emptyJson.body).toEqual({ id: "hello", status: "ACTIVE" });
    const broken = await fetch(`${env().backend.url}/api/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{oops",
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrBody).error.code).toBe("BAD_REQUEST");
    expect((await env().backend.api("POST", "/api/jobs/never-seen/revoke")).status).toBe(404);
  });

  it("round-trips group membership through KV agent_groups", async () => {
    const kv = await new Kvm(jetstream(env().nc)).open(BUCKETS.agentGroups);
    expect((await env().backend.api("PUT", "/api/agents/pc-1/groups", { groups: ["web", "canary", "web"] })).body).toEqual({
      pc_id: "pc-1",
      groups: ["canary", "web"],
      static: ["canary", "web"],
      dynamic: [],
    });
    // What agents follow is `groups`; the backend keeps the static groups apart from those of dynamic group queries.
    expect((await kv.get("pc-1"))?.json()).toEqual({ groups: ["canary", "web"], static: ["canary", "web"], dynamic: [] });
    await env().backend.api("POST", "/api/agents/pc-1/groups", { groups: ["db"] });
    await env().backend.api("POST", "/api/agents/pc-2/groups", { groups: ["web"] });
    expect((await env().backend.api("GET", "/api/agents/pc-1/groups")).body).toEqual({ pc_id: "pc-1", groups: ["canary", "db", "web"], static: ["canary", "db", "web"], dynamic: [] });
    expect((await env().backend.api("DELETE", "/api/agents/pc-1/groups/canary")).body).toEqual({ pc_id: "pc-1", groups: ["db", "web"], static: ["db", "web"], dynamic: [] });

    const groups = (await env().backend.api("GET", "/api/groups")).body as { items: { group: string; members: string[] }[] };
    expect(groups.items.map(({ group, members }) => ({ group, members }))).toEqual([
      { group: "db", members: ["pc-1"] },
      { group: "web", members: ["pc-1", "pc-2"] },
    ]);

    const bad = await env().backend.api("PUT", "/api/agents/pc-1/groups", { groups: ["ok", "not ok"] });
    expect(bad.status).toBe(400);
    expect((bad.body as ErrBody).error.details?.[0]?.path).toBe("groups.1");
  });

  it("rejects a config with neither auth disabled nor a token", async () => {
    const { loadBackendConfig } = await import("../src/index.js");
    expect(() => loadBackendConfig({})).toThrow(/KANADE_AUTH_STATIC_TOKEN/);
    expect(TOKEN).toBeTruthy();
  });
});
