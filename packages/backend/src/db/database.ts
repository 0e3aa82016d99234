/**
 * Opens the SQLite file (`node:sqlite`, WAL) and brings its schema up to date. Only modules under `db/`
 * and the store modules of each feature see the handle; everything else gets a narrow store interface.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { migrate } from "./migrations.js";
import { SqlDatabase } from "./sqlite.js";

export { SqlDatabase, SqlStatement, type RunResult, type SqlParams, type SqlValue } from "./sqlite.js";

/** Owner-only: the database holds password hashes, script output and the audit trail. */
const FILE_MODE = 0o600;

/** Creates the file 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode. */
function ownerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) closeSync(openSync(path, "a", FILE_MODE));
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, FILE_MODE);
}

export function openDatabase(path: string): SqlDatabase {
  if (path !== ":memory:") ownerOnly(path);
  const db = new SqlDatabase(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}
