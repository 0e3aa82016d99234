import { beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { v7 as uuidv7 } from "uuid";
import {
  BUCKETS,
  OBJECT_STORES,
  STREAMS,
  commandSchema,
  killMessageSchema,
  subjects,
  type ExecResult,
  type ExecutionDetail,
  type ResultRecord,
  type StartedEvent,
} from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { HELLO_YAML, makeResult, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string } };

describe("exec, projection and kill", () => {
  const env = useBackendEnv();
  let js: JetStreamClient;
  let jsm: JetStreamManager;

  const publishResult = (r: ExecResult): Promise<unknown> =>
    js.publish(subjects.result(r.exec_id, r.pc_id), JSON.stringify(r), { msgID: r.result_id });
  const exec = async (body: unknown): Promise<string> => {
    const r = await env().backend.api("POST", "/api/exec/hello", body);
    expect(r.status).toBe(202);
    return (r.body as { exec_id: string }).exec_id;
  };
  const detail = async (execId: string): Promise<ExecutionDetail> =>
    (await env().backend.api("GET", `/api/executions/${execId}`)).body as ExecutionDetail;

  beforeAll(async () => {
    js = jetstream(env().nc);
    jsm = await jetstreamManager(env().nc);
    expect((await env().backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
  });

  it("refuses unknown jobs, missing targets and revoked jobs", async () => {
    const unknown = await env().backend.api("POST", "/api/exec/no-such-job", { pcs: ["pc-1"] });
    expect(unknown.status).toBe(404);
    expect((unknown.body as ErrBody).error.code).toBe("JOB_NOT_FOUND");

    const none = await env().backend.api("POST", "/api/exec/hello", {});
    expect(none.status).toBe(400);
    expect((none.body as ErrBody).error.code).toBe("NO_TARGET");

    const badPc = await env().backend.api("POST", "/api/exec/hello", { pcs: ["bad pc"] });
    expect(badPc.status).toBe(400);
    expect((badPc.body as ErrBody).error.code).toBe("BAD_REQUEST");

    await env().backend.api("POST", "/api/jobs/hello/revoke");
    const revoked = await env().backend.api("POST", "/api/exec/hello", { pcs: ["pc-1"] });
    expect(revoked.status).toBe(409);
    expect((revoked.body as ErrBody).error.message).toMatch(/revoked/);
    await env().backend.api("POST", "/api/jobs/hello/unrevoke");
  });

  it("publishes one Command per target subject into EXEC and writes script_current", async () => {
    await env().backend.api("PUT", "/api/agents/pc-g1/groups", { groups: ["lab"] });
    await env().backend.api("PUT", "/api/agents/pc-g2/groups", { groups: ["lab"] });
    const r = await env().backend.api("POST", "/api/exec/hello", { pcs: ["pc-1", "pc-g1"], groups: ["lab"], jitter: "5m" });
    expect(r.status).toBe(202);
    const { exec_id, target_count, state } = r.body as { exec_id: string; target_count: number; state: string };
    expect(state).toBe("running");
    expect(target_count).toBe(3); // pc-1, pc-g1, pc-g2 — deduplicated

    const requestIds = new Set<string>();
    for (const subject of [subjects.commandsPc("pc-1"), subjects.commandsPc("pc-g1"), subjects.commandsGroup("lab")]) {
      const msg = await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject });
      const cmd = commandSchema.parse(msg?.json());
      expect(cmd).toMatchObject({ exec_id, job_id: "hello", version: "1.0.0", shell: "sh", timeout_secs: 30, jitter_secs: 300 });
      expect(cmd.script).toContain("echo");
      requestIds.add(cmd.request_id);
    }
    expect(requestIds.size).toBe(3);
    const current = await new Kvm(js).open(BUCKETS.scriptCurrent);
    expect((await current.get("hello"))?.string()).toBe("1.0.0");

    const d = await detail(exec_id);
    expect(d.rows.map((row) => [row.pc_id, row.status])).toEqual([
      ["pc-1", "pending"],
      ["pc-g1", "pending"],
      ["pc-g2", "pending"],
    ]);
  });

  it("projects results (once per result_id), started events, and completes the execution", async () => {
    const execId = await exec({ pcs: ["pc-a", "pc-b"] });
    const started: StartedEvent = {
      exec_id: execId,
      request_id: uuidv7(),
      result_id: uuidv7(),
      job_id: "hello",
      version: "1.0.0",
      pc_id: "pc-b",
      started_at: new Date().toISOString(),
    };
    await js.publish(subjects.started(execId, "pc-b"), JSON.stringify(started));
    await waitFor(async () => (await detail(execId)).rows.find((r) => r.pc_id === "pc-b")?.status === "running", {
      what: "pc-b running",
    });

    // A malformed message first: it must not stop the valid one behind it.
    await js.publish(subjects.result(execId, "pc-a"), "{not json");
    await js.publish(subjects.result(execId, "pc-a"), JSON.stringify({ exec_id: execId, status: "nonsense" }));
    const ra = makeResult(execId, "pc-a");
    await publishResult(ra);
    await publishResult(ra); // an agent's resend: same msgID

    const d = await waitFor(async () => {
      const x = await detail(execId);
      return x.counts.done === 1 ? x : undefined;
    }, { what: "pc-a result" });
    expect(d.counts).toMatchObject({ total: 2, done: 1, succeeded: 1, running: 1, pending: 0 });
    expect(d.state).toBe("running");
    const rowA = d.rows.find((r) => r.pc_id === "pc-a");
    expect(rowA).toMatchObject({ status: "succeeded", result_id: ra.result_id, exit_code: 0, duration_ms: 1500, stdout_first_line: "hello from pc-a" });

    // The same result again under a different message id (e.g. after the dedup window): still stored once.
    await js.publish(subjects.result(execId, "pc-a"), JSON.stringify(ra), { msgID: uuidv7() });
    // ?wait_ms answers once the execution has ended: asked while pc-b is still running, answered after its result.
    const ended = env().backend.api("GET", `/api/executions/${execId}?rows=false&wait_ms=30000`);
    await publishResult(makeResult(execId, "pc-b", { status: "failed", exit_code: 3 }));
    expect((await ended).body).toMatchObject({ state: "completed", counts: { total: 2, done: 2, succeeded: 1, failed: 1 } });
    const done = await waitFor(async () => {
      const x = await detail(execId);
      return x.state === "completed" ? x : undefined;
    }, { what: "completed" });
    expect(done.counts).toMatchObject({ total: 2, done: 2, succeeded: 1, failed: 1 });

    const list = (await env().backend.api("GET", `/api/results?exec_id=${execId}`)).body as { items: ResultRecord[] };
    expect(list.items).toHaveLength(2);
    const one = await env().backend.api("GET", `/api/results/${ra.result_id}`);
    expect(one.body).toMatchObject({ result_id: ra.result_id, pc_id: "pc-a", stdout: ra.stdout });
    expect((await env().backend.api("GET", `/api/results/${uuidv7()}`)).status).toBe(404);
    const failed = (await env().backend.api("GET", `/api/results?exec_id=${execId}&status=failed`)).body as { items: ResultRecord[] };
    expect(failed.items.map((r) => r.pc_id)).toEqual(["pc-b"]);

    // ?rows=false answers counts only.
    const counts = (await env().backend.api("GET", `/api/executions/${execId}?rows=false`)).body as Record<string, unknown>;
    expect(counts.rows).toBeUndefined();
    expect(counts.counts).toMatchObject({ done: 2 });
    // An execution that has ended answers at once; an unknown one is 404 as without wait_ms.
    expect((await env().backend.api("GET", `/api/executions/${execId}?rows=false&wait_ms=30000`)).body).toMatchObject({ state: "completed" });
    expect((await env().backend.api("GET", `/api/executions/${uuidv7()}?wait_ms=30000`)).status).toBe(404);
    expect((await env().backend.api("GET", `/api/executions/${execId}?wait_ms=0`)).status).toBe(400);
  });

  it("stores results for executions it does not know, and from PCs that were not targeted", async () => {
    const orphan = makeResult(uuidv7(), "pc-x");
    await publishResult(orphan);
    await waitFor(async () => (await env().backend.api("GET", `/api/results/${orphan.result_id}`)).status === 200, { what: "orphan" });

    const execId = await exec({ pcs: ["pc-a"] });
    await publishResult(makeResult(execId, "pc-stray"));
    const d = await waitFor(async () => {
      const x = await detail(execId);
      return x.counts.done === 1 ? x : undefined;
    }, { what: "stray result" });
    expect(d.rows.map((r) => [r.pc_id, r.status])).toEqual([
      ["pc-a", "pending"],
      ["pc-stray", "succeeded"],
    ]);
  });

  it("lists executions newest first with a working cursor", async () => {
    const first = await env().backend.api("GET", "/api/executions?limit=2");
    const page1 = first.body as { items: { exec_id: string }[]; next_cursor: string };
    expect(page1.items).toHaveLength(2);
    expect(page1.next_cursor).toBeTruthy();
    const page2 = (await env().backend.api("GET", `/api/executions?limit=2&cursor=${page1.next_cursor}`)).body as { items: { exec_id: string }[] };
    expect(page2.items.length).toBeGreaterThan(0);
    const all = [...page1.items, ...page2.items].map((e) => e.exec_id);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort().reverse()).toEqual(all);
    expect((await env().backend.api("GET", `/api/executions/${uuidv7()}`)).status).toBe(404);
  });

  it("kill publishes kill.<exec_id> and purges the exec's commands from EXEC", async () => {
    const execId = await exec({ pcs: ["pc-k1"], groups: ["lab"] });
    const got: unknown[] = [];
    const sub = env().nc.subscribe(subjects.kill(execId), { callback: (_e, m) => void got.push(m.json()) });
    await env().nc.flush();

    const r = await env().backend.api("POST", `/api/executions/${execId}/kill`);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ exec_id: execId, killed: true });
    await waitFor(() => got.length === 1, { what: "kill message" });
    expect(killMessageSchema.parse(got[0])).toMatchObject({ exec_id: execId, issued_by: "static-token" });
    sub.unsubscribe();

    expect(await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc("pc-k1") })).toBeNull();
    expect(await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsGroup("lab") })).toBeNull();
    // Other executions' commands stay.
    expect(await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc("pc-1") })).not.toBeNull();
    expect((await env().backend.api("POST", `/api/executions/${uuidv7()}/kill`)).status).toBe(404);
  });

  it("a killed execution whose PCs never started ends killed, showing them killed", async () => {
    const execId = await exec({ pcs: ["pc-off-1", "pc-off-2"] });
    await publishResult(makeResult(execId, "pc-off-1", { status: "killed", exit_code: null }));
    await waitFor(async () => (await detail(execId)).counts.done === 1, { what: "the first result" });
    expect((await detail(execId)).state).toBe("running");

    expect((await env().backend.api("POST", `/api/executions/${execId}/kill`)).status).toBe(202);
    const d = await detail(execId);
    expect(d.state).toBe("killed");
    expect(d.killed_at).toEqual(expect.any(String));
    expect(d.counts).toMatchObject({ total: 2, pending: 0, running: 0, done: 2, killed: 2 });
    expect(d.rows.find((r) => r.pc_id === "pc-off-2")).toMatchObject({ status: "killed", exit_code: null, result_id: null });
  });

  it("a killed execution with a run in progress stays running until that PC reports", async () => {
    const execId = await exec({ pcs: ["pc-busy"] });
    const started: StartedEvent = {
      exec_id: execId, request_id: uuidv7(), result_id: uuidv7(), job_id: "hello", version: "1.0.0",
      pc_id: "pc-busy", started_at: new Date().toISOString(),
    };
    await js.publish(subjects.started(execId, "pc-busy"), JSON.stringify(started));
    await waitFor(async () => (await detail(execId)).counts.running === 1, { what: "the started event" });
    expect((await env().backend.api("POST", `/api/executions/${execId}/kill`)).status).toBe(202);
    expect((await detail(execId)).state).toBe("running");
    await publishResult(makeResult(execId, "pc-busy", { status: "killed", exit_code: null }));
    await waitFor(async () => (await detail(execId)).state === "killed", { what: "the end of the killed run" });
  });

  it("sends the sha256 of a script object with the command, and refuses when the object is missing", async () => {
    const manifest = { id: "obj-job", version: "1.0.0", execute: { shell: "sh", script_object: "deploy/1.0.0" } };
    expect((await env().backend.api("POST", "/api/jobs", manifest)).status).toBe(201);
    const missing = await env().backend.api("POST", "/api/exec/obj-job", { pcs: ["pc-o"] });
    expect(missing.status).toBe(409);
    expect((missing.body as ErrBody).error.message).toContain("deploy/1.0.0");

    const body = "echo deployed\n";
    const store = await new Objm(js).open(OBJECT_STORES.scripts);
    await store.putBlob({ name: "deploy/1.0.0" }, new TextEncoder().encode(body));
    const r = await env().backend.api("POST", "/api/exec/obj-job", { pcs: ["pc-o"] });
    expect(r.status).toBe(202);
    const cmd = commandSchema.parse((await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc("pc-o") }))?.json());
    expect(cmd.script_object).toBe("deploy/1.0.0");
    expect(cmd.script_sha256).toBe(createHash("sha256").update(body).digest("hex"));
  });
});
