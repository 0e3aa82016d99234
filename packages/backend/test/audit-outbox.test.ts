/**
 * Nothing changes unaudited: audit records are made durable in the database with (or around) the change, and
 * reach AUDIT even when the stream was deleted. Jobs and their YAML are written together or not at all.
 */
import { describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { STREAMS, type AuditRecord } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { HELLO_YAML, TOKEN, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; details?: { path: string }[] } };

describe("audit outbox and job writes", () => {
  const env = useBackendEnv();
  const audited = async (action: string, target: string): Promise<boolean> =>
    ((await env().backend.api("GET", `/api/audit?action=${action}&target=${target}`)).body as { items: AuditRecord[] }).items.length > 0;

  it("a change made while AUDIT is deleted still succeeds and its record arrives once the stream is back", async () => {
    const jsm = await jetstreamManager(env().nc);
    await jsm.streams.delete(STREAMS.AUDIT);
    const job = HELLO_YAML.replace("id: hello", "id: audited-later");
    expect((await env().backend.api("POST", "/api/jobs", job)).status).toBe(201);
    // The relay recreates AUDIT and publishes what waited in the outbox; the projector brings it to the log.
    await waitFor(() => audited("job.create", "audited-later"), { timeoutMs: 30_000, what: "the job.create record" });
    expect((await jsm.streams.info(STREAMS.AUDIT)).config.subjects).toEqual(["audit.>"]);
    const metrics = (await env().backend.api("GET", "/metrics")).text;
    expect(metrics).toMatch(/^kanade_audit_outbox_pending 0$/m);
  });

  it("refuses a manifest too big for the broker with 400 naming execute.script, in YAML and in JSON", async () => {
    const big = "echo x\n".repeat(300_000); // ~2 MiB
    const yaml = `id: too-big\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: |\n${big.split("\n").map((l) => `    ${l}`).join("\n")}\n`;
    const r = await env().backend.api("POST", "/api/jobs", yaml);
    expect(r.status).toBe(400);
    expect((r.body as ErrBody).error.code).toBe("INVALID_MANIFEST");
    expect((r.body as ErrBody).error.details?.map((d) => d.path)).toContain("execute.script");
    const json = await env().backend.api("POST", "/api/jobs", { id: "too-big", version: "1.0.0", execute: { shell: "sh", script: big } });
    expect(json.status).toBe(400);
    expect((await env().backend.api("GET", "/api/jobs/too-big")).status).toBe(404);
  });

  it("answers job ids NATS cannot store and YAML alias bombs with 400 naming the field, storing nothing", async () => {
    for (const id of ["a.", "a..b", ".a"]) {
      const r = await env().backend.api("POST", "/api/jobs", { id, version: "1.0.0", execute: { shell: "sh", script: "echo" } });
      expect(r.status, id).toBe(400);
      expect((r.body as ErrBody).error.details?.map((d) => d.path)).toEqual(["id"]);
      expect((await env().backend.api("GET", `/api/jobs/${id}`)).status, id).not.toBe(500);
    }
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`);
    const r = await env().backend.api("POST", "/api/jobs", `${bomb.join("\n")}\nid: bomb\nversion: 1.0.0\nexecute: {shell: sh, script: echo}\n`);
    expect(r.status).toBe(400);
    expect((r.body as ErrBody).error.code).toBe("INVALID_MANIFEST");
    expect((await env().backend.api("GET", "/api/jobs/bomb")).status).toBe(404);
  });

  it("a job whose write fails leaves its YAML as it was", async () => {
    const v1 = "id: two-writes\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo one\n";
    expect((await env().backend.api("POST", "/api/jobs", v1)).status).toBe(201);
    const jsm = await jetstreamManager(env().nc);
    const kv = await jsm.streams.info("KV_jobs");
    // The runnable job's bucket now refuses values over 1 KiB; the YAML bucket still takes them.
    await jsm.streams.update("KV_jobs", { ...kv.config, max_msg_size: 1024 });
    try {
      const v2 = `id: two-writes\nversion: 2.0.0\nexecute:\n  shell: sh\n  script: echo ${"two ".repeat(400)}\n`;
      expect((await env().backend.api("POST", "/api/jobs", v2)).status).toBeGreaterThanOrEqual(400);
    } finally {
      await jsm.streams.update("KV_jobs", { ...kv.config, max_msg_size: -1 });
    }
    expect((await env().backend.api("GET", "/api/jobs/two-writes")).body).toMatchObject({ version: "1.0.0" });
    expect((await env().backend.api("GET", "/api/jobs/two-writes/yaml")).text).toBe(v1);
    // The failed change left no audit record claiming it happened.
    expect(await audited("job.replace", "two-writes")).toBe(false);
  });

  it("serves object names up to 128 characters, and answers longer ones with its own 400", async () => {
    const name = "n".repeat(128);
    const missing = await env().backend.api("GET", `/api/app-packages/${name}/1.0.0`);
    expect((missing.body as ErrBody).error.code).toBe("OBJECT_NOT_FOUND");
    const put = await fetch(`${env().backend.url}/api/app-packages/${name}/1.0.0`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/octet-stream" },
      body: new TextEncoder().encode("package bytes"),
    });
    expect(put.status).toBe(201);
    const got = await fetch(`${env().backend.url}/api/app-packages/${name}/1.0.0`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await got.text()).toBe("package bytes");
    const tooLong = await env().backend.api("GET", `/api/app-packages/${"n".repeat(129)}/1.0.0`);
    expect(tooLong.status).toBe(400);
    expect((tooLong.body as ErrBody).error.code).toBe("BAD_REQUEST");
  });
});
