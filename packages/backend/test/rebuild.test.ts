/** Database lost: the backend rebuilds executions and results from the streams, and says so in its log. */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { pino } from "pino";
import { subjects, type ExecResponse, type ExecutionDetail, type ListResponse, type LoginResponse, type ResultRecord } from "@kanade/protocol";
import { startNatsServer, tempDatabase, waitFor, type NatsServer } from "@kanade/testkit";
import { startBackend } from "../src/index.js";
import { HELLO_YAML, TOKEN, makeResult, natsClient, wrap, type TestBackend } from "./helpers.js";

describe("database lost", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  const db = tempDatabase();
  const lines: string[] = [];
  const log = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    }),
  );
  const start = async (rebuild = false): Promise<TestBackend> =>
    wrap(
      await startBackend(
        { bindHost: "127.0.0.1", bindPort: 0, natsUrl: server.url, databaseUrl: db.url, authDisabled: false, staticToken: TOKEN, logLevel: "info", rebuild, ...(db.stateDir ? { stateDir: db.stateDir } : {}) },
        { log },
      ),
      TOKEN,
    );
  const results = async (b: TestBackend, execId: string): Promise<ResultRecord[]> =>
    ((await b.api("GET", `/api/results?exec_id=${execId}&limit=500`)).body as ListResponse<ResultRecord>).items;
  const rebuildLogs = (): string[] => lines.filter((l) => l.includes("rebuilding from RESULTS"));

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await natsClient(server.url);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
    db.remove();
  });

  it("rebuilds executions and results after the SQLite file is deleted, then --rebuild adds nothing twice", async () => {
    let backend = await start();
    let execId: string;
    let runId: string;
    try {
      expect((await backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
      const run = await backend.api("POST", "/api/run", { pcs: ["pc-1"], shell: "sh", script: "echo 'ad hoc'", run_as: "system" });
      expect(run.status).toBe(202);
      runId = (run.body as ExecResponse).exec_id;
      const fired = await backend.api("POST", "/api/exec/hello", { pcs: ["pc-1", "pc-2", "pc-3"] });
      expect(fired.status).toBe(202);
      execId = (fired.body as ExecResponse).exec_id;
      const js = jetstream(nc);
      for (const pc of ["pc-1", "pc-2", "pc-3"]) {
        const r = makeResult(execId, pc);
        await js.publish(subjects.result(execId, pc), JSON.stringify(r), { msgID: r.result_id });
      }
      await waitFor(async () => (await results(backend, execId)).length === 3, { what: "three projected results" });
    } finally {
      await backend.close();
    }
    expect(rebuildLogs()).toEqual([]);

    db.reset();
    backend = await start();
    try {
      await waitFor(async () => (await results(backend, execId)).length === 3, { what: "results rebuilt from RESULTS" });
      const exec = (await backend.api("GET", `/api/executions/${execId}`)).body as ExecutionDetail;
      expect([exec.job_id, exec.target_count, exec.counts.succeeded]).toEqual(["hello", 3, 3]);
      // An ad-hoc run comes back from its run.create record, script included, so it can still be promoted.
      const run = (await backend.api("GET", `/api/executions/${runId}`)).body as ExecutionDetail;
      expect([run.job_id, run.target_count]).toEqual(["adhoc", 1]);
      expect((await backend.api("GET", `/api/executions/${runId}/script`)).body).toMatchObject({ script: "echo 'ad hoc'", shell: "sh", timeout: "60s" });
      expect(rebuildLogs()).toHaveLength(1);
      expect(JSON.parse(rebuildLogs()[0]!)).toMatchObject({ messages: 3, msg: "rebuilding from RESULTS: 3 messages" });
    } finally {
      await backend.close();
    }

    // An intact database replayed on request: every upsert is idempotent, so nothing doubles.
    backend = await start(true);
    try {
      expect(rebuildLogs()).toHaveLength(2);
      const r = makeResult(execId, "pc-4");
      await jetstream(nc).publish(subjects.result(execId, "pc-4"), JSON.stringify(r), { msgID: r.result_id });
      await waitFor(async () => (await results(backend, execId)).length === 4, { what: "a new result after the replay" });
      const pcs = (await results(backend, execId)).map((x) => x.pc_id).sort();
      expect(pcs).toEqual(["pc-1", "pc-2", "pc-3", "pc-4"]);
    } finally {
      await backend.close();
    }
  });

  it("brings back approval-gated executions: approved ran, rejected stays rejected, one still pending comes back expired", async () => {
    const guarded = HELLO_YAML.replace("id: hello", "id: guarded").replace("description: Say hello", "description: Guarded\nrequire_approval: true");
    let backend = await start();
    const ids: Record<"approved" | "rejected" | "pending", string> = { approved: "", rejected: "", pending: "" };
    try {
      expect((await backend.api("POST", "/api/jobs", guarded)).status).toBe(201);
      const password = "correct horse battery";
      expect((await backend.api("POST", "/api/accounts", { username: "olga", password, role: "operator" })).status).toBe(201);
      const login = await fetch(`${backend.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "olga", password }),
      });
      const olga = ((await login.json()) as LoginResponse).token;
      const decide = (execId: string, what: "approve" | "reject") =>
        fetch(`${backend.url}/api/executions/${execId}/${what}`, { method: "POST", headers: { authorization: `Bearer ${olga}` } });
      for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
        const fired = await backend.api("POST", "/api/exec/guarded", { pcs: ["pc-9"] });
        expect((fired.body as ExecResponse).state).toBe("pending_approval");
        ids[k] = (fired.body as ExecResponse).exec_id;
      }
      expect((await decide(ids.approved, "approve")).status).toBe(200);
      expect((await decide(ids.rejected, "reject")).status).toBe(200);
    } finally {
      await backend.close();
    }

    db.reset();
    backend = await start();
    try {
      const state = async (execId: string) => ((await backend.api("GET", `/api/executions/${execId}`)).body as ExecutionDetail).state;
      await waitFor(async () => (await state(ids.pending)) === "expired", { what: "the pending exec restored as expired" });
      expect(await state(ids.approved)).toMatch(/^(running|completed)$/);
      expect(await state(ids.rejected)).toBe("rejected");
    } finally {
      await backend.close();
    }
  });
});
