/**
 * The SQLite engine of the database handle (handle.ts): `node:sqlite` (built into Node 24, so no native
 * addon ships) behind the few calls the stores make. Open a file through `openDatabase` (database.ts),
 * which also migrates it.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { BackgroundStatement, RunResult, SqlDatabase, SqlParams, SqlStatement } from "./handle.js";

export type { RunResult, SqlDatabase, SqlParams, SqlStatement, SqlValue } from "./handle.js";

type SqliteValue = SQLInputValue;

export interface OpenOptions {
  readonly?: boolean;
  /** Integers come back as bigint (all of them, not only those past 2^53): for a reader that copies them as they are. */
  readBigInts?: boolean;
}

/** A prepared statement. Rows come back as plain objects (column name → value), or as the first column's value after `pluck()`. */
export class SqliteStatement implements SqlStatement {
  constructor(
    private readonly stmt: StatementSync,
    private readonly firstColumnOnly = false,
  ) {
    // Stores pass whole records (`{ ...execution }`) and let the SQL pick the columns it names.
    stmt.setAllowUnknownNamedParameters(true);
  }

  /** The same statement returning only the first column of each row. */
  pluck(): SqlStatement {
    return new SqliteStatement(this.stmt, true);
  }

  run(...params: SqlParams): RunResult {
    const r = this.stmt.run(...(params as SqliteValue[]));
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  get(...params: SqlParams): unknown {
    const row = this.stmt.get(...(params as SqliteValue[]));
    return row === undefined ? undefined : this.shape(row);
  }

  all(...params: SqlParams): unknown[] {
    return this.stmt.all(...(params as SqliteValue[])).map((row) => this.shape(row));
  }

  *iterate(...params: SqlParams): IterableIterator<unknown> {
    for (const row of this.stmt.iterate(...(params as SqliteValue[]))) yield this.shape(row as Record<string, unknown>);
  }

  /** node:sqlite rows have a null prototype; callers (and test assertions) expect ordinary objects. */
  private shape(row: Record<string, unknown>): unknown {
    if (this.firstColumnOnly) {
      for (const key in row) return row[key];
      return undefined;
    }
    return { ...row };
  }
}

export class SqliteDatabase implements SqlDatabase {
  readonly engine = "sqlite";
  private readonly db: DatabaseSync;
  private depth = 0;
  private savepoints = 0;

  constructor(path: string, options: OpenOptions = {}) {
    // 5 s busy timeout, as better-sqlite3 had: a second reader of a file the backend writes waits, not fails.
    this.db = new DatabaseSync(path, {
      readOnly: options.readonly ?? false,
      readBigInts: options.readBigInts ?? false,
      enableForeignKeyConstraints: false,
      timeout: 5000,
    });
  }

  prepare(sql: string): SqlStatement {
    return new SqliteStatement(this.db.prepare(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(statement: string): unknown[] {
    return this.prepare(`PRAGMA ${statement}`).all();
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const nested = this.depth > 0;
      const savepoint = nested ? `kanade_sp_${++this.savepoints}` : "";
      this.db.exec(nested ? `SAVEPOINT ${savepoint}` : "BEGIN");
      this.depth++;
      try {
        const result = fn(...args);
        this.db.exec(nested ? `RELEASE ${savepoint}` : "COMMIT");
        return result;
      } catch (err) {
        if (this.db.isTransaction) this.db.exec(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : "ROLLBACK");
        throw err;
      } finally {
        this.depth--;
      }
    };
  }

  async transactionInBackground(statements: readonly BackgroundStatement[]): Promise<number[]> {
    return this.transaction(() => statements.map((s) => this.prepare(s.sql).run(...s.params).changes))();
  }

  get open(): boolean {
    return this.db.isOpen;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
