/**
 * Opens the backend's database and brings its schema up to date: a SQLite file (`node:sqlite`, WAL) by
 * default, or a PostgreSQL server for a `postgres://` URL (postgres.ts). Only modules under `db/` and the
 * store modules of each feature see the handle; everything else gets a narrow store interface.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { SqlDatabase } from "./handle.js";
import { migrate } from "./migrations.js";
import { PostgresDatabase } from "./postgres.js";
import { SqliteDatabase } from "./sqlite.js";

export type { RunResult, SqlDatabase, SqlEngine, SqlParams, SqlStatement, SqlValue } from "./handle.js";
export { SqliteDatabase } from "./sqlite.js";
export { PostgresDatabase, PostgresError } from "./postgres.js";

/** Owner-only: the database holds password hashes, script output and the audit trail. */
const FILE_MODE = 0o600;

/** Creates the file 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode. */
function ownerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) closeSync(openSync(path, "a", FILE_MODE));
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, FILE_MODE);
}

/** `target`: a SQLite file path (or `:memory:`), or a `postgres://` URL. */
export function openDatabase(target: string): SqlDatabase {
  if (/^postgres(ql)?:\/\//.test(target)) {
    const db = new PostgresDatabase(target);
    try {
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }
  if (target !== ":memory:") ownerOnly(target);
  const db = new SqliteDatabase(target);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}
