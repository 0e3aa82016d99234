/**
 * `kanade-backend db copy` end to end: a real backend on a SQLite file gets accounts, an enrolment token,
 * agents, tags, a dynamic group, a job, an execution with results and a schedule that fired; it stops; the
 * copy runs as a child process into a fresh PostgreSQL database; a backend started on that database (same
 * broker, same state directory) answers the API exactly as before. Plus the refusals: a target holding rows,
 * a bad URL, a missing source file, a source not at this backend's schema, a value PostgreSQL cannot take.
 */
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { subjects, type EnrollmentView, type EnrollTokenView, type ExecResponse, type ScheduleCoverage } from "@kanade/protocol";
import { runBin, sampleHeartbeat, startNatsServer, tempDatabase, tempPostgres, testCommandKeys, waitFor, type NatsServer, type TempDatabase } from "@kanade/testkit";
import { openDatabase, PostgresDatabase, SqliteDatabase, startBackend, type BackendConfig } from "../src/index.js";
import { openEnrollmentStore } from "../src/enrollment/store.js";
import { HELLO_YAML, TOKEN, makeResult, natsClient, quietLog, wrap, type TestBackend } from "./helpers.js";

const PASSWORD = "copy-test-password-1";
const PCS = ["pc-1", "pc-2"];
const TOKEN_ROW: EnrollTokenView = { token_id: "tok-1", group: "lab", uses_left: 3, expires_at: "2099-01-01T00:00:00.000Z", created_by: "admin", created_at: "2025-12-01T00:00:00.000Z" };
const ENROLLMENT: EnrollmentView = {
  pc_id: "pc-3",
  hostname: "host-3",
  public_key: "UAKEY3",
  state: "pending",
  requested_at: "2025-12-02T00:00:00.000Z",
  decided_at: null,
  decided_by: null,
  via_token: null,
  conflict: null,
};

describe("kanade-backend db copy", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  const sqlite = tempDatabase("sqlite");
  const targets: TempDatabase[] = [];
  const pg = (): TempDatabase => {
    const t = tempPostgres();
    targets.push(t);
    return t;
  };
  const start = async (databaseUrl: string): Promise<TestBackend> => {
    const config: BackendConfig = {
      bindHost: "127.0.0.1",
      bindPort: 0,
      natsUrl: server.url,
      databaseUrl,
      authDisabled: false,
      staticToken: TOKEN,
      logLevel: "silent",
      commandKeysDir: testCommandKeys().dir,
      scheduleTickMs: 200,
      // The state directory moves with the database: on SQLite it is the file's directory.
      stateDir: dirname(sqlite.target),
    };
    return wrap(await startBackend(config, { log: quietLog() }), TOKEN);
  };
  const copy = (args: string[]) => runBin("backend", "kanade-backend", ["db", "copy", ...args], { timeoutMs: 120_000 });
  const fileHash = (): string => createHash("sha256").update(readFileSync(sqlite.target)).digest("hex");

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await natsClient(server.url);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
    for (const t of targets) t.remove();
    sqlite.remove();
  });

  /** What the API answers about everything the copy must carry over. */
  const snapshot = async (b: TestBackend, execId: string): Promise<Record<string, unknown>> => {
    const get = async (path: string): Promise<unknown> => {
      const r = await b.api("GET", path);
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      return r.body;
    };
    const agents = (await get("/api/agents")) as { items: Record<string, unknown>[] };
    return {
      accounts: await get("/api/accounts"),
      // Online is judged against the clock now; everything stored about the agents must be the same.
      agents: agents.items.map(({ online: _online, ...rest }) => rest),
      tags: await get("/api/agents/pc-1/tags"),
      group: await get("/api/groups/osaka"),
      definitions: await get("/api/group-definitions"),
      job: await get("/api/jobs/hello"),
      execution: await get(`/api/executions/${execId}`),
      executions: await get("/api/executions"),
      results: await get(`/api/results?exec_id=${execId}&limit=500`),
      coverage: await get("/api/schedules/once-hello/coverage"),
      audit: await get("/api/audit?limit=500"),
    };
  };

  it("copies a stopped backend's SQLite database into PostgreSQL, and a backend there answers the same", async () => {
    let before: Record<string, unknown>;
    let execId: string;
    const js = jetstream(nc);
    let backend = await start(sqlite.url);
    try {
      const api = backend.api;
      expect((await api("POST", "/api/accounts", { username: "alice", password: PASSWORD, role: "operator" })).status).toBe(201);
      for (const pc of PCS) nc.publish(subjects.heartbeat(pc), JSON.stringify(sampleHeartbeat(pc)));
      await waitFor(async () => ((await api("GET", "/api/agents")).body as { items: unknown[] }).items.length === 2, { what: "both agents listed" });
      expect((await api("PATCH", "/api/agents/pc-1/tags", { set: { site: "osaka", owner: "finance" } })).status).toBe(200);
      expect((await api("PUT", "/api/groups/osaka", { query: 'tag.site = "osaka"', description: "Osaka office" })).status).toBe(200);
      expect((await api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
      const fired = await api("POST", "/api/exec/hello", { pcs: PCS });
      expect(fired.status, fired.text).toBe(202);
      execId = (fired.body as ExecResponse).exec_id;
      // One output holds a NUL character: SQLite text keeps it, PostgreSQL text cannot.
      for (const [pc, stdout] of [["pc-1", "hello from pc-1"], ["pc-2", "bin\u0000ary"]] as const) {
        const r = makeResult(execId, pc, { stdout });
        await js.publish(subjects.result(execId, pc), JSON.stringify(r), { msgID: r.result_id });
      }
      await waitFor(async () => ((await api("GET", `/api/executions/${execId}`)).body as { counts: { succeeded: number } }).counts.succeeded === 2, {
        what: "both results projected",
      });
      // A schedule that fires once at pc-1; its answer makes the PC "ok" in the coverage (fires + results in the database).
      expect((await api("POST", "/api/schedules", "id: once-hello\njob: hello\nwhen: {per_pc: once}\ntarget: {pcs: [pc-1]}\n")).status).toBe(201);
      const cov = async (): Promise<ScheduleCoverage> => (await api("GET", "/api/schedules/once-hello/coverage")).body as ScheduleCoverage;
      const scheduled = await waitFor(async () => (await cov()).items[0]?.exec_id ?? undefined, { what: "the schedule's fire at pc-1" });
      const r = makeResult(scheduled, "pc-1");
      await js.publish(subjects.result(scheduled, "pc-1"), JSON.stringify(r), { msgID: r.result_id });
      await waitFor(async () => (await cov()).counts.ok === 1, { what: "the scheduled run counted ok" });
      before = await snapshot(backend, execId);
    } finally {
      await backend.close();
    }
    // Enrolment needs a locked-down broker to be served over the API: its rows go in through the store.
    const enrolled = openDatabase(sqlite.target);
    openEnrollmentStore(enrolled).addToken(TOKEN_ROW, "hash-of-the-secret");
    openEnrollmentStore(enrolled).put(ENROLLMENT);
    enrolled.close();
    const hash = fileHash();

    const target = pg();
    const run = await copy(["--from", sqlite.url, "--to", target.url, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/accounts: 1 rows/);
    const summary = JSON.parse(run.stdout) as { rows: number; tables: { table: string; rows: number }[]; sequences: { table: string; column: string; next: number }[]; conversions: { table: string; column: string; kind: string; count: number }[] };
    const rowsOf = (t: string): number | undefined => summary.tables.find((x) => x.table === t)?.rows;
    expect(rowsOf("results")).toBe(3);
    expect(rowsOf("accounts")).toBe(1);
    expect(rowsOf("schema_migrations")).toBeUndefined();
    expect(summary.sequences).toEqual([{ table: "results", column: "rowid", next: 4 }]);
    expect(summary.conversions).toEqual([{ table: "results", column: "stdout", kind: "NUL characters written as U+FFFD", count: 1 }]);
    // The source was opened read-only.
    expect(fileHash()).toBe(hash);

    backend = await start(target.url);
    try {
      const after = await snapshot(backend, execId!);
      // The one planned difference: the NUL of that output is U+FFFD now (PostgreSQL text cannot hold a NUL, and a
      // backend on PostgreSQL stores it so too), so its first line, which SQLite's text functions ended at the
      // NUL, is now the whole line.
      const expected = JSON.parse(JSON.stringify(before!).replaceAll("bin\\u0000ary", "bin\uFFFDary").replaceAll('"stdout_first_line":"bin"', '"stdout_first_line":"bin\uFFFDary"')) as unknown;
      expect(JSON.stringify(before!)).toContain("bin\\u0000ary");
      expect(after).toEqual(expected);
      const login = await fetch(`${backend.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "alice", password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      // New results get rowids after the copied ones (the identity counter was moved past them).
      const again = await backend.api("POST", "/api/exec/hello", { pcs: ["pc-2"] });
      const againId = (again.body as ExecResponse).exec_id;
      const r = makeResult(againId, "pc-2");
      await js.publish(subjects.result(againId, "pc-2"), JSON.stringify(r), { msgID: r.result_id });
      await waitFor(async () => ((await backend.api("GET", `/api/executions/${againId}`)).body as { counts: { succeeded: number } }).counts.succeeded === 1, {
        what: "the new result projected",
      });
    } finally {
      await backend.close();
    }
    const db = new PostgresDatabase(target.url);
    try {
      const store = openEnrollmentStore(db);
      expect(store.listTokens("2026-01-01T00:00:00.000Z")).toEqual([TOKEN_ROW]);
      expect(store.get("pc-3")).toEqual(ENROLLMENT);
      expect(db.prepare("SELECT rowid FROM results ORDER BY rowid").pluck().all()).toEqual([1, 2, 3, 4]);
      // The fan-out count triggers are on again.
      expect(db.prepare("SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }

    // Copying again into the filled database is refused, naming a table, and changes nothing.
    const refused = await copy(["--from", sqlite.url, "--to", target.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty: table accounts holds rows/);
  });

  it("refuses a target with rows in any table before writing anything", async () => {
    const target = pg();
    const db = new PostgresDatabase(target.url);
    try {
      db.exec("CREATE TABLE leftovers (x BIGINT); INSERT INTO leftovers VALUES (1)");
      const run = await copy(["--from", sqlite.url, "--to", target.url]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain("table leftovers holds rows");
      expect(run.stderr).toContain("nothing was written");
      expect(db.prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").pluck().all()).toEqual(["leftovers"]);
    } finally {
      db.close();
    }
  });

  it("names the bad argument: a URL of the wrong kind, a missing source file, a missing option", async () => {
    const target = pg();
    const badTo = await copy(["--from", sqlite.url, "--to", "mysql://db/kanade"]);
    expect([badTo.code, badTo.stderr]).toEqual([2, expect.stringContaining('--to: expected postgres://')]);
    const badFrom = await copy(["--from", "/var/lib/kanade.db", "--to", target.url]);
    expect([badFrom.code, badFrom.stderr]).toEqual([2, expect.stringContaining("--from: expected sqlite://")]);
    const missing = await copy(["--from", `sqlite://${dirname(sqlite.target)}/nope.db`, "--to", target.url]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining(`--from: no such file: ${dirname(sqlite.target)}/nope.db`)]);
    const noTo = await copy(["--from", sqlite.url]);
    expect([noTo.code, noTo.stderr]).toEqual([2, expect.stringContaining("--to is required")]);
    const unknown = await copy(["--from", sqlite.url, "--to", target.url, "--fast"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--fast");
  });

  it("refuses a source whose schema is not this backend's", async () => {
    const older = `${dirname(sqlite.target)}/older.db`;
    copyFileSync(sqlite.target, older);
    const db = new SqliteDatabase(older);
    db.exec("DELETE FROM schema_migrations WHERE id = 'pg-results-insert-order'; INSERT INTO schema_migrations VALUES ('999-from-the-future', 'x')");
    db.close();
    const target = pg();
    const run = await copy(["--from", `sqlite://${older}`, "--to", target.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown migrations: 999-from-the-future");
    const db2 = new SqliteDatabase(older);
    db2.exec("DELETE FROM schema_migrations WHERE id = '999-from-the-future'");
    db2.close();
    const run2 = await copy(["--from", `sqlite://${older}`, "--to", target.url]);
    expect(run2.code).toBe(1);
    expect(run2.stderr).toContain("migrations not applied: pg-results-insert-order");
  });

  it("stops at a value PostgreSQL cannot take, naming table, column and row, and commits nothing", async () => {
    const odd = `${dirname(sqlite.target)}/odd.db`;
    copyFileSync(sqlite.target, odd);
    const db = new SqliteDatabase(odd);
    // SQLite keeps text in an INTEGER column as it is given.
    db.exec("UPDATE results SET exit_code = 'twelve'");
    db.close();
    const target = pg();
    const run = await copy(["--from", `sqlite://${odd}`, "--to", target.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('table results, column exit_code, row 1: holds text "twelve" where the PostgreSQL column is bigint');
    expect(run.stderr).toContain("nothing was committed");
    // Not even the schema: the migration ran inside the same transaction.
    const pgDb = new PostgresDatabase(target.url);
    try {
      expect(pgDb.prepare("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'").pluck().get()).toBe(0);
    } finally {
      pgDb.close();
    }
  });
});
