/**
 * The SQLite handle the backend's stores use: `node:sqlite` (built into Node 24, so no native addon ships)
 * behind the few calls the stores make — `prepare(sql)` giving `run/get/all/iterate` (and `pluck()` for the
 * first column only), `exec`, `pragma`, `transaction(fn)` and `close` — so store code reads the same whatever
 * SQLite binding is underneath. Open a file through `openDatabase` (database.ts), which also migrates it.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";

/** One bound value: SQLite takes numbers, bigints, strings, bytes and NULL (no booleans, no undefined). */
export type SqlValue = SQLInputValue;
/** Positional values (`?`), or one object of named values (`@name`, `:name`, `$name` — keys without the prefix). */
export type SqlParams = SqlValue[] | [Record<string, SqlValue>, ...SqlValue[]];

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

export interface OpenOptions {
  readonly?: boolean;
}

/** A prepared statement. Rows come back as plain objects (column name → value), or as the first column's value after `pluck()`. */
export class SqlStatement {
  constructor(
    private readonly stmt: StatementSync,
    private readonly firstColumnOnly = false,
  ) {
    // Stores pass whole records (`{ ...execution }`) and let the SQL pick the columns it names.
    stmt.setAllowUnknownNamedParameters(true);
  }

  /** The same statement returning only the first column of each row. */
  pluck(): SqlStatement {
    return new SqlStatement(this.stmt, true);
  }

  run(...params: SqlParams): RunResult {
    const r = this.stmt.run(...(params as SqlValue[]));
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  get(...params: SqlParams): unknown {
    const row = this.stmt.get(...(params as SqlValue[]));
    return row === undefined ? undefined : this.shape(row);
  }

  all(...params: SqlParams): unknown[] {
    return this.stmt.all(...(params as SqlValue[])).map((row) => this.shape(row));
  }

  *iterate(...params: SqlParams): IterableIterator<unknown> {
    for (const row of this.stmt.iterate(...(params as SqlValue[]))) yield this.shape(row as Record<string, unknown>);
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

export class SqlDatabase {
  private readonly db: DatabaseSync;
  private depth = 0;
  private savepoints = 0;

  constructor(path: string, options: OpenOptions = {}) {
    // 5 s busy timeout, as better-sqlite3 had: a second reader of a file the backend writes waits, not fails.
    this.db = new DatabaseSync(path, { readOnly: options.readonly ?? false, enableForeignKeyConstraints: false, timeout: 5000 });
  }

  prepare(sql: string): SqlStatement {
    return new SqlStatement(this.db.prepare(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** `pragma("journal_mode = WAL")`; returns the rows the pragma answers with. */
  pragma(statement: string): unknown[] {
    return this.prepare(`PRAGMA ${statement}`).all();
  }

  /**
   * Wraps `fn` so each call runs in one transaction: committed when it returns, rolled back when it throws.
   * A call inside another transaction becomes a savepoint of it.
   */
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

  get open(): boolean {
    return this.db.isOpen;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
