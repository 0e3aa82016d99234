import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "../db/handle.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExecResult, ExecutionCounts, ResultStatus } from "@kanade/protocol";
import { migrate, MIGRATIONS } from "../db/migrations.js";
import { openResultsStore, type ResultsStore } from "../results/store.js";
import { openExecutionsStore } from "./sqlite-store.js";
import type { ExecutionsStore } from "./store.js";

const EXEC = "0190f0f0-0000-7000-8000-000000000001";
let seq = 0;
const uuid = (): string => `0190f0f0-0000-7000-8000-${String(++seq).padStart(12, "0")}`;

const result = (pc: string, status: ResultStatus, finishedAt: string, resultId = uuid()): ExecResult => ({
  result_id: resultId,
  exec_id: EXEC,
  request_id: uuid(),
  job_id: "j",
  version: "1.0.0",
  pc_id: pc,
  status,
  exit_code: status === "succeeded" ? 0 : 1,
  stdout: "",
  stderr: "",
  stdout_truncated: false,
  stderr_truncated: false,
  started_at: null,
  finished_at: finishedAt,
});
const started = (pc: string): { exec_id: string; request_id: string; result_id: string; job_id: string; version: string; pc_id: string; started_at: string } => ({
  exec_id: EXEC,
  request_id: uuid(),
  result_id: uuid(),
  job_id: "j",
  version: "1.0.0",
  pc_id: pc,
  started_at: "2026-01-01T00:00:01.000Z",
});
const counts = (c: Partial<ExecutionCounts>): ExecutionCounts => {
  const all = { pending: 0, running: 0, succeeded: 0, failed: 0, timed_out: 0, killed: 0, skipped: 0, error: 0, ...c };
  const done = all.succeeded + all.failed + all.timed_out + all.killed + all.skipped + all.error;
  return { ...all, done, total: done + all.pending + all.running };
};

async function createExec(executions: ExecutionsStore, targets: string[]): Promise<void> {
  await executions.create({
    execution: {
      exec_id: EXEC,
      job_id: "j",
      version: "1.0.0",
      state: "running",
      target: { pcs: targets },
      target_count: targets.length,
      created_at: "2026-01-01T00:00:00.000Z",
      issued_by: "otto",
      killed_at: null,
      manifest_digest: "d".repeat(64),
      state_reason: null,
    },
    targets,
    audit: { id: uuid(), at: "2026-01-01T00:00:00.000Z", actor: "otto", action: "exec.create", target: EXEC, payload_summary: {}, source_ip: null },
  });
}

/** The same story, told to the live triggers or to the migration's backfill. */
async function story(executions: ExecutionsStore, results: ResultsStore): Promise<void> {
  await createExec(executions, ["pc-1", "pc-2", "pc-3", "pc-4"]);
  await results.insertStarted([started("pc-1"), started("pc-4")]);
  // pc-2's result overtakes its started event: it stays counted under the result.
  await results.insertResults([result("pc-2", "failed", "2026-01-01T00:00:05.000Z")]);
  await results.insertStarted([started("pc-2")]);
  // pc-1 answers twice; the older one arrives last and changes nothing.
  await results.insertResults([result("pc-1", "error", "2026-01-01T00:00:09.000Z"), result("pc-1", "succeeded", "2026-01-01T00:00:03.000Z")]);
  // A PC that was not expected answers anyway: counted, as the per-PC rows show it.
  const late = result("pc-9", "skipped", "2026-01-01T00:00:04.000Z");
  await results.insertResults([late]);
  // A redelivered result (same result_id) counts once.
  await results.insertResults([late]);
}

const EXPECTED = counts({ pending: 1, running: 1, failed: 1, error: 1, skipped: 1 });

describe("execution counts kept by triggers (migration 008-fanout-counters)", () => {
  let db: SqlDatabase;
  beforeEach(() => (db = openTestDatabase()));
  afterEach(() => db.close());

  it("follow targets, started events and results as they are written, in any order", async () => {
    migrate(db);
    const executions = openExecutionsStore(db);
    const results = openResultsStore(db);
    await story(executions, results);
    expect(await executions.counts(EXEC)).toEqual(EXPECTED);
    // The per-PC rows (computed from the tables themselves) agree with the counters.
    const rows = await executions.rows(EXEC);
    expect(rows.map((r) => `${r.pc_id}:${r.status}`)).toEqual(["pc-1:error", "pc-2:failed", "pc-3:pending", "pc-4:running", "pc-9:skipped"]);
  });

  it("count a batch of many PCs' results, written as one statement, each from where it was", async () => {
    migrate(db);
    const executions = openExecutionsStore(db);
    const results = openResultsStore(db);
    const pcs = Array.from({ length: 8 }, (_, i) => `pc-${i + 1}`);
    await createExec(executions, pcs);
    await results.insertStarted([started("pc-1"), started("pc-2"), started("pc-3")]);
    await results.insertResults([result("pc-3", "failed", "2026-01-01T00:00:02.000Z")]);
    // One batch: running and pending PCs answer, pc-3 answers again (newer, so it moves from failed), and a PC
    // nobody targeted answers too.
    await results.insertResults([
      result("pc-1", "succeeded", "2026-01-01T00:00:05.000Z"),
      result("pc-3", "succeeded", "2026-01-01T00:00:06.000Z"),
      result("pc-4", "succeeded", "2026-01-01T00:00:05.000Z"),
      result("pc-5", "killed", "2026-01-01T00:00:05.000Z"),
      result("pc-6", "succeeded", "2026-01-01T00:00:05.000Z"),
      result("pc-9", "skipped", "2026-01-01T00:00:05.000Z"),
    ]);
    expect(await executions.counts(EXEC)).toEqual(counts({ pending: 2, running: 1, succeeded: 4, killed: 1, skipped: 1 }));
    const rows = await executions.rows(EXEC);
    expect(rows.map((r) => `${r.pc_id}:${r.status}`)).toEqual([
      "pc-1:succeeded", "pc-2:running", "pc-3:succeeded", "pc-4:succeeded", "pc-5:killed", "pc-6:succeeded", "pc-7:pending", "pc-8:pending", "pc-9:skipped",
    ]);
  });

  it("are untouched by warming the results store up (an empty batch through the insert and its triggers)", async () => {
    migrate(db);
    const executions = openExecutionsStore(db);
    const results = openResultsStore(db);
    await createExec(executions, ["pc-1", "pc-2"]);
    await results.warmUp();
    expect(await results.isEmpty()).toBe(true);
    expect(await executions.counts(EXEC)).toEqual(counts({ pending: 2 }));
    await results.insertResults([result("pc-1", "succeeded", "2026-01-01T00:00:05.000Z")]);
    expect(await executions.counts(EXEC)).toEqual(counts({ pending: 1, succeeded: 1 }));
  });

  it("count targets written after their PCs answered (an execution restored, or fired by the agents)", async () => {
    migrate(db);
    const executions = openExecutionsStore(db);
    const results = openResultsStore(db);
    await results.insertStarted([started("pc-1")]);
    await results.insertResults([result("pc-2", "failed", "2026-01-01T00:00:05.000Z")]);
    await createExec(executions, ["pc-1", "pc-2", "pc-3", "pc-4"]);
    expect(await executions.counts(EXEC)).toEqual(counts({ pending: 2, running: 1, failed: 1 }));
  });

  it("are filled in for executions that existed before the migration", async () => {
    // The older schema: before 008, and so before the migrations that rework 008's triggers per statement.
    const counting = new Set(["008-fanout-counters", "pg-fanout-counters-per-statement", "pg-fanout-counters-by-index", "pg-targets-counted-per-exec"]);
    migrate(db, MIGRATIONS.filter((m) => !counting.has(m.id)));
    // Written as the older schema had it (no triggers yet): the same story as above, row by row.
    const target = db.prepare("INSERT INTO execution_targets (exec_id, pc_id) VALUES (?, ?)");
    for (const pc of ["pc-1", "pc-2", "pc-3", "pc-4"]) target.run(EXEC, pc);
    const start = db.prepare("INSERT INTO started (exec_id, pc_id, result_id, started_at) VALUES (?, ?, ?, ?)");
    for (const pc of ["pc-1", "pc-4", "pc-2"]) start.run(EXEC, pc, uuid(), "2026-01-01T00:00:01.000Z");
    const answer = db.prepare(
      `INSERT INTO results (result_id, exec_id, request_id, job_id, version, pc_id, status, stdout, stderr, finished_at, received_at)
       VALUES (?, ?, ?, 'j', '1.0.0', ?, ?, '', '', ?, ?)`,
    );
    for (const [pc, status, at] of [
      ["pc-2", "failed", "2026-01-01T00:00:05.000Z"],
      ["pc-1", "error", "2026-01-01T00:00:09.000Z"],
      ["pc-1", "succeeded", "2026-01-01T00:00:03.000Z"],
      ["pc-9", "skipped", "2026-01-01T00:00:04.000Z"],
    ] as const) answer.run(uuid(), EXEC, uuid(), pc, status, at, at);
    expect(migrate(db)).toBe(counting.size);
    const executions = openExecutionsStore(db);
    expect(await executions.counts(EXEC)).toEqual(EXPECTED);
    // From here on the triggers take over: pc-3 answers.
    await openResultsStore(db).insertResults([result("pc-3", "succeeded", "2026-01-01T00:00:10.000Z")]);
    expect(await executions.counts(EXEC)).toEqual(counts({ running: 1, failed: 1, error: 1, skipped: 1, succeeded: 1 }));
  });
});
