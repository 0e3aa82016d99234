/**
 * The database handle the backend's stores use, whichever engine is underneath: SQLite (`node:sqlite`,
 * sqlite.ts) or PostgreSQL (`pg` in a worker thread, postgres.ts). Both are synchronous — the stores call
 * `prepare(sql)` and then `run/get/all/iterate` (and `pluck()` for the first column only), `exec`,
 * `transaction(fn)` and `close` — so store code reads the same on both. Store SQL is written once, in the
 * subset both engines run (see docs/operator/database.md); the few places that need engine-specific SQL ask
 * `db.engine` through the helpers in dialect.ts.
 */

/** One bound value: numbers, bigints, strings, bytes and NULL (no booleans, no undefined). */
export type SqlValue = null | number | bigint | string | NodeJS.ArrayBufferView;
/** Positional values (`?`), or one object of named values (`@name`, `:name`, `$name` — keys without the prefix). */
export type SqlParams = SqlValue[] | [Record<string, SqlValue>, ...SqlValue[]];

export type SqlEngine = "sqlite" | "postgres";

export interface RunResult {
  changes: number;
  /** SQLite's rowid of the last row inserted; 0 on PostgreSQL (no store reads it). */
  lastInsertRowid: number;
}

/** A prepared statement. Rows come back as plain objects (column name → value), or as the first column's value after `pluck()`. */
export interface SqlStatement {
  /** The same statement returning only the first column of each row. */
  pluck(): SqlStatement;
  run(...params: SqlParams): RunResult;
  get(...params: SqlParams): unknown;
  all(...params: SqlParams): unknown[];
  iterate(...params: SqlParams): IterableIterator<unknown>;
}

/** One statement of a background transaction and its values. */
export interface BackgroundStatement {
  sql: string;
  params: SqlParams;
}

export interface SqlDatabase {
  readonly engine: SqlEngine;
  prepare(sql: string): SqlStatement;
  /** Runs one or more statements without parameters (DDL, BEGIN/COMMIT). */
  exec(sql: string): void;
  /** SQLite `pragma("journal_mode = WAL")`, returning the rows it answers with; nothing on PostgreSQL. */
  pragma(statement: string): unknown[];
  /**
   * Wraps `fn` so each call runs in one transaction: committed when it returns, rolled back when it throws.
   * A call inside another transaction becomes a savepoint of it.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /**
   * Runs the statements as one transaction and resolves with each one's row count. PostgreSQL runs it on a
   * connection of its own while the event loop goes on (the caller must not be inside a transaction); SQLite runs
   * it at once, in process, as `transaction` would.
   */
  transactionInBackground(statements: readonly BackgroundStatement[]): Promise<number[]>;
  readonly open: boolean;
  close(): void;
}
