/**
 * `kanade-backend db copy`: every row of a SQLite database into an empty PostgreSQL one (copy-cli.ts parses the
 * command line). The source must be at exactly this backend's schema (every migration it knows, nothing newer);
 * the target is migrated to the same schema and filled inside ONE transaction, so a failure anywhere leaves it
 * as it was. Tables and columns come from the catalogues (copy-catalog.ts), values are checked against the
 * PostgreSQL column types (copy-values.ts). Rows go in as they are, with the target's triggers off while they
 * do: the fan-out counts (`execution_counts`) are copied, not counted a second time. Results keep their SQLite
 * rowid (the insertion order the schedule engine and result listings read), and identity/serial counters are
 * set past the copied ids. Each table's row count is checked against the source before the commit.
 */
import {
  BOOKKEEPING_TABLE,
  countRows,
  nonEmptyTables,
  postgresColumns,
  postgresTables,
  postgresTriggerTables,
  quoteName,
  sqliteColumns,
  sqliteHasRowid,
  sqliteMigrationIds,
  sqliteTables,
  type TargetColumn,
} from "./copy-catalog.js";
import { toTargetValue, type ConversionKind } from "./copy-values.js";
import type { SqlDatabase, SqlValue } from "./handle.js";
import { migrate, MIGRATIONS } from "./migrations.js";

/** Refused before anything was written: `subject` says which side (the CLI names its argument). */
export class CopyRefused extends Error {
  constructor(
    message: string,
    readonly subject: "source" | "target",
  ) {
    super(message);
    this.name = "CopyRefused";
  }
}

export interface CopyOptions {
  /** Rows per INSERT (fewer for wide tables); default 500. */
  batchRows?: number;
  /** A batch is sent early once its text reaches this many characters (large script output); default 4 MB. */
  batchChars?: number;
  /** Called as each table is done. */
  onTable?: (table: string, rows: number, ms: number) => void;
}

export interface CopySummary {
  migrations: number;
  tables: { table: string; rows: number }[];
  rows: number;
  /** Identity/serial counters set past the copied ids: the next value each gives. */
  sequences: { table: string; column: string; next: number }[];
  conversions: { table: string; column: string; kind: ConversionKind; count: number }[];
  ms: number;
}

/** Refuses a source this backend cannot copy as it is: not kanade's, older (not migrated yet) or newer. */
function checkSource(source: SqlDatabase): void {
  const ids = sqliteMigrationIds(source);
  if (!ids) throw new CopyRefused(`not a kanade database: it has no ${BOOKKEEPING_TABLE} table`, "source");
  const known = new Set(MIGRATIONS.map((m) => m.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new CopyRefused(`its schema is newer than this kanade-backend's (unknown migrations: ${unknown.join(", ")}); copy with the version that last ran on it`, "source");
  }
  const have = new Set(ids);
  const missing = MIGRATIONS.filter((m) => !have.has(m.id)).map((m) => m.id);
  if (missing.length) {
    throw new CopyRefused(
      `its schema is not complete (migrations not applied: ${missing.join(", ")}); start this version of kanade-backend on it once (it migrates at start), stop it, then copy`,
      "source",
    );
  }
}

/** Refuses a target that holds rows anywhere, or a schema from a newer kanade-backend. */
function checkTarget(target: SqlDatabase): void {
  const tables = postgresTables(target);
  const full = nonEmptyTables(target, tables);
  if (full.length) throw new CopyRefused(`the database is not empty: table ${full[0]} holds rows${full.length > 1 ? ` (so do ${full.slice(1).join(", ")})` : ""}`, "target");
  if (tables.includes(BOOKKEEPING_TABLE)) {
    const known = new Set(MIGRATIONS.map((m) => m.id));
    const unknown = (target.prepare(`SELECT id FROM ${BOOKKEEPING_TABLE}`).pluck().all() as string[]).filter((id) => !known.has(id));
    if (unknown.length) throw new CopyRefused(`its schema is newer than this kanade-backend's (unknown migrations: ${unknown.join(", ")})`, "target");
  }
}

interface TablePlan {
  table: string;
  /** Target columns, each with the SQLite expression that fills it. */
  columns: { target: TargetColumn; from: string }[];
  orderBy: string;
  overriding: boolean;
}

function planTable(source: SqlDatabase, target: SqlDatabase, table: string): TablePlan {
  const targetCols = postgresColumns(target, table);
  if (!targetCols.length) throw new Error(`table ${table} is in the source but not in the migrated target`);
  const sourceCols = sqliteColumns(source, table);
  const extra = sourceCols.filter((c) => !targetCols.some((t) => t.name === c));
  if (extra.length) throw new Error(`table ${table}: column ${extra.join(", ")} of the source is not in the target`);
  const hasRowid = sqliteHasRowid(source, table);
  const columns: TablePlan["columns"] = [];
  for (const t of targetCols) {
    if (sourceCols.includes(t.name)) columns.push({ target: t, from: quoteName(t.name) });
    // PostgreSQL's explicit `results.rowid` is SQLite's implicit one: keep it, so the insertion order stays.
    else if (t.name === "rowid" && hasRowid) columns.push({ target: t, from: "rowid" });
    else if (!t.nullable && !t.hasDefault) throw new Error(`table ${table}: the target's column ${t.name} is NOT NULL and the source has no such column`);
  }
  return {
    table,
    columns,
    orderBy: hasRowid ? " ORDER BY rowid" : "",
    overriding: columns.some((c) => c.target.identity === "ALWAYS"),
  };
}

function insertSql(plan: TablePlan, rows: number): string {
  const names = plan.columns.map((c) => quoteName(c.target.name)).join(", ");
  const tuple = `(${plan.columns.map(() => "?").join(", ")})`;
  return `INSERT INTO ${quoteName(plan.table)} (${names})${plan.overriding ? " OVERRIDING SYSTEM VALUE" : ""} VALUES ${Array(rows).fill(tuple).join(", ")}`;
}

function copyTable(source: SqlDatabase, target: SqlDatabase, plan: TablePlan, opts: CopyOptions, note: (column: string, k: ConversionKind) => void): number {
  const perBatch = Math.max(1, Math.min(opts.batchRows ?? 500, Math.floor(10_000 / plan.columns.length)));
  const maxChars = opts.batchChars ?? 4_000_000;
  const full = target.prepare(insertSql(plan, perBatch));
  const single = perBatch === 1 ? full : target.prepare(insertSql(plan, 1));
  const select = `SELECT ${plan.columns.map((c) => `${c.from} AS ${quoteName(c.target.name)}`).join(", ")} FROM ${quoteName(plan.table)}${plan.orderBy}`;
  let values: SqlValue[] = [];
  let rows = 0;
  let chars = 0;
  let copied = 0;
  const flush = (): void => {
    if (rows === perBatch) full.run(...values);
    else for (let i = 0; i < rows; i++) single.run(...values.slice(i * plan.columns.length, (i + 1) * plan.columns.length));
    copied += rows;
    values = [];
    rows = 0;
    chars = 0;
  };
  for (const row of source.prepare(select).iterate() as IterableIterator<Record<string, unknown>>) {
    for (const c of plan.columns) {
      const name = c.target.name;
      let v: SqlValue;
      try {
        v = toTargetValue(row[name], c.target.type, (k) => note(name, k));
      } catch (err) {
        throw new Error(`table ${plan.table}, column ${name}, row ${copied + rows + 1}: ${(err as Error).message}`);
      }
      if (typeof v === "string") chars += v.length;
      values.push(v);
    }
    rows++;
    if (rows === perBatch || chars >= maxChars) flush();
  }
  flush();
  return copied;
}

/** Sets each identity/serial counter of `table` past its highest copied value; returns the next value it gives. */
function resetSequences(target: SqlDatabase, plan: TablePlan): CopySummary["sequences"] {
  const out: CopySummary["sequences"] = [];
  for (const { target: col } of plan.columns) {
    if (!col.identity && !col.serial) continue;
    const max = Number(target.prepare(`SELECT COALESCE(MAX(${quoteName(col.name)}), 0) FROM ${quoteName(plan.table)}`).pluck().get());
    const seq = "CAST(pg_get_serial_sequence(?, ?) AS regclass)";
    if (max >= 1) target.prepare(`SELECT setval(${seq}, CAST(? AS bigint), true)`).run(quoteName(plan.table), col.name, max);
    else target.prepare(`SELECT setval(${seq}, 1, false)`).run(quoteName(plan.table), col.name);
    out.push({ table: plan.table, column: col.name, next: Math.max(max, 0) + 1 });
  }
  return out;
}

/** Copies `source` (SQLite, opened read-only) into `target` (PostgreSQL); throws CopyRefused or the failure. */
export function copyDatabase(source: SqlDatabase, target: SqlDatabase, opts: CopyOptions = {}): CopySummary {
  const started = Date.now();
  // One read transaction: every table is read from the same snapshot of the file.
  source.exec("BEGIN");
  try {
    return copyInto(source, target, opts, started);
  } finally {
    source.exec("ROLLBACK");
  }
}

function copyInto(source: SqlDatabase, target: SqlDatabase, opts: CopyOptions, started: number): CopySummary {
  checkSource(source);
  checkTarget(target);
  const counts = new Map<string, number>();
  const summary: CopySummary = { migrations: MIGRATIONS.length, tables: [], rows: 0, sequences: [], conversions: [], ms: 0 };
  target.transaction(() => {
    migrate(target);
    const triggered = postgresTriggerTables(target);
    for (const t of triggered) target.exec(`ALTER TABLE ${quoteName(t)} DISABLE TRIGGER USER`);
    for (const table of sqliteTables(source).filter((t) => t !== BOOKKEEPING_TABLE)) {
      const t0 = Date.now();
      const plan = planTable(source, target, table);
      let copied: number;
      try {
        copied = copyTable(source, target, plan, opts, (column, kind) => {
          const key = `${table}\u0000${column}\u0000${kind}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        });
      } catch (err) {
        // PostgreSQL's own refusals do not say which table they were writing.
        const message = (err as Error).message;
        throw message.startsWith(`table ${table}`) ? err : new Error(`table ${table}: ${message}`, { cause: err });
      }
      const inSource = countRows(source, table);
      const inTarget = countRows(target, table);
      if (copied !== inSource || inTarget !== inSource) {
        throw new Error(`table ${table}: ${inSource} rows in the source, ${copied} copied, ${inTarget} in the target; nothing was committed`);
      }
      summary.sequences.push(...resetSequences(target, plan));
      summary.tables.push({ table, rows: copied });
      summary.rows += copied;
      opts.onTable?.(table, copied, Date.now() - t0);
    }
    for (const t of triggered) target.exec(`ALTER TABLE ${quoteName(t)} ENABLE TRIGGER USER`);
  })();
  for (const [key, count] of counts) {
    const [table, column, kind] = key.split("\u0000") as [string, string, ConversionKind];
    summary.conversions.push({ table, column, kind, count });
  }
  summary.ms = Date.now() - started;
  return summary;
}
