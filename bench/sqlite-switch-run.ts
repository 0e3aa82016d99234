/**
 * One side of `npm run bench:sqlite-switch`: the results projector's store (`openResultsStore`, migrations,
 * pragmas and counter triggers as the backend has them) inserting results in the projector's batches, on the
 * driver given: `node:sqlite` (what ships, Node 24) or `better-sqlite3` at a path (what it replaced, Node 20).
 * Prints one JSON line.
 */
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecResult } from "@kanade/protocol";
import { migrate } from "../packages/backend/src/db/migrations.js";
import type { SqlDatabase } from "../packages/backend/src/db/sqlite.js";
import { openResultsStore } from "../packages/backend/src/results/store.js";

const [driver, modulePath] = process.argv.slice(2);
const ROWS = Number(process.env.BENCH_ROWS ?? 60_000);
const BATCH = 500; // the projector's BATCH_MAX
const PCS = 5_000;

async function open(path: string): Promise<SqlDatabase> {
  if (driver === "node:sqlite") {
    const { SqliteDatabase: Wrapper } = await import("../packages/backend/src/db/sqlite.js");
    return new Wrapper(path);
  }
  if (driver === "better-sqlite3" && modulePath) {
    // better-sqlite3's API is the one our wrapper copies (prepare/run/get/all/pluck, transaction, pragma).
    const Database = createRequire(join(modulePath, "package.json"))(modulePath) as new (p: string) => SqlDatabase;
    return new Database(path);
  }
  throw new Error("usage: sqlite-switch-run.ts node:sqlite | better-sqlite3 <module dir>");
}

const dir = mkdtempSync(join(tmpdir(), "kanade-sqlite-switch-"));
try {
  const db = await open(join(dir, "kanade.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrate(db);
  const store = openResultsStore(db);
  const execs = Array.from({ length: Math.ceil(ROWS / PCS) }, (_, i) => `01936f0e-7a3b-7cde-8f00-${String(i).padStart(12, "0")}`);
  const result = (i: number): ExecResult => {
    const at = new Date(Date.UTC(2026, 11, 2, 12, 0, 0, i)).toISOString();
    return {
      result_id: `01936f0f-0000-7000-8000-${String(i).padStart(12, "0")}`,
      exec_id: execs[Math.floor(i / PCS)]!,
      request_id: `01936f0f-0000-7000-9000-${String(i).padStart(12, "0")}`,
      job_id: "bench-echo",
      version: "1.0.0",
      pc_id: `sim-${String((i % PCS) + 1).padStart(4, "0")}`,
      status: "succeeded",
      exit_code: 0,
      stdout: "done\n",
      stderr: "",
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: at,
      finished_at: at,
    };
  };
  const batches = Array.from({ length: Math.ceil(ROWS / BATCH) }, (_, b) => Array.from({ length: Math.min(BATCH, ROWS - b * BATCH) }, (_, j) => result(b * BATCH + j)));
  const t0 = performance.now();
  let inserted = 0;
  for (const batch of batches) inserted += await store.insertResults(batch);
  const ms = performance.now() - t0;
  if (inserted !== ROWS) throw new Error(`inserted ${inserted} of ${ROWS}`);
  db.close();
  console.log(JSON.stringify({ driver, node: process.version, rows: ROWS, batch: BATCH, ms: Math.round(ms), rows_per_s: Math.round(ROWS / (ms / 1000)) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
