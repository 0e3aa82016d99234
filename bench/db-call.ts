/**
 * What one database call costs the backend on each engine, through the same synchronous handle the stores use:
 * SQLite in process, PostgreSQL through the worker-thread bridge (one round trip to the worker and the server
 * per call, the main thread blocked meanwhile). Per engine: a primary-key read, a single-row insert in its own
 * transaction, and a projector-sized batch (500 inserts in one transaction), each as microseconds per call (median
 * of the runs), plus the time to open and migrate an empty database.
 *
 *   npm run bench:db                    # against postgres://postgres@127.0.0.1:5432 (KANADE_TEST_PG_URL)
 *   BENCH_CALLS=20000 npm run bench:db
 */
import { openDatabase, type SqlDatabase } from "@kanade/backend";
import { tempDatabase, type TestDbEngine } from "@kanade/testkit";

const CALLS = Number(process.env.BENCH_CALLS ?? 5_000);
const RUNS = 5;
const BATCH = 500;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number => Math.round(x * 10) / 10;

/** Microseconds per call of `fn` run `n` times, median of RUNS. */
function perCall(n: number, fn: (i: number) => void): number {
  const runs: number[] = [];
  let k = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(k++);
    runs.push(((performance.now() - t0) * 1000) / n);
  }
  return round(median(runs));
}

function measure(engine: TestDbEngine): Record<string, number | string> {
  const temp = tempDatabase(engine);
  try {
    const t0 = performance.now();
    const db: SqlDatabase = openDatabase(temp.target);
    const openMs = Math.round(performance.now() - t0);
    const insert = db.prepare(
      `INSERT INTO events (event_id, pc_id, kind, at, received_at) VALUES (?, ?, 'agent.start', ?, ?)`,
    );
    const read = db.prepare(`SELECT * FROM events WHERE event_id = ?`);
    const at = new Date().toISOString();
    const single = db.transaction((id: string) => insert.run(id, "pc-1", at, at));
    const insertUs = perCall(CALLS / 5, (i) => single(`s-${i}`));
    const readUs = perCall(CALLS, (i) => read.get(`s-${i % (CALLS / 5)}`));
    const batch = db.transaction((base: number) => {
      for (let j = 0; j < BATCH; j++) insert.run(`b-${base}-${j}`, `pc-${j}`, at, at);
    });
    const batchUs = perCall(Math.max(1, CALLS / BATCH / 2), (i) => batch(i)) / BATCH;
    db.close();
    return { engine, open_and_migrate_ms: openMs, read_by_key_us: readUs, insert_own_tx_us: insertUs, insert_in_batch_of_500_us: round(batchUs) };
  } finally {
    temp.remove();
  }
}

const figures = [measure("sqlite"), measure("postgres")];
console.log(JSON.stringify({ calls: CALLS, runs: RUNS, figures }));
