/**
 * The database a test's backend uses, on the engine the run asks for: SQLite (a temp file, the default) or,
 * with `KANADE_TEST_DB=postgres`, a database of its own on the PostgreSQL server at `KANADE_TEST_PG_URL`
 * (default postgres://postgres@127.0.0.1:5432/postgres, trust auth), made with a random name and dropped
 * by `remove()`. `npm run test:backend:pg` runs the backend's suite this way.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { PostgresDatabase, SqliteDatabase, type SqlDatabase } from "@kanade/backend";
import { tempDir, tempSqlite } from "./temp.js";

export type TestDbEngine = "sqlite" | "postgres";

export function testDbEngine(): TestDbEngine {
  return process.env.KANADE_TEST_DB === "postgres" ? "postgres" : "sqlite";
}

/** The server the PostgreSQL runs make their databases on (its maintenance database). */
export function testPgAdminUrl(): string {
  return process.env.KANADE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

export interface TempDatabase {
  readonly engine: TestDbEngine;
  /** DATABASE_URL for the backend: sqlite://<file> or postgres://…/<random name>. */
  readonly url: string;
  /** What `openDatabase` takes: the SQLite file's path, or the same postgres:// URL. */
  readonly target: string;
  /** A temp directory for the files that go with the database (BackendConfig.stateDir), PostgreSQL only: SQLite keeps them beside its file. */
  readonly stateDir?: string;
  /** Throws the database away and starts an empty one under the same URL (the SQLite file and its -wal/-shm deleted). */
  reset(): void;
  remove(): void;
}

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run in a transaction). */
function admin(sql: string): void {
  const db = new PostgresDatabase(testPgAdminUrl());
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** A fresh, empty PostgreSQL database; `remove()` drops it (closing whatever is still connected). */
export function tempPostgres(): TempDatabase {
  const name = `kanade_test_${randomBytes(8).toString("hex")}`;
  // Byte order (C), as SQLite compares text: listings and cursors come out in the same order on both engines.
  const create = (): void => admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const drop = (): void => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  create();
  const dir = tempDir("kanade-pg-state-");
  const url = new URL(testPgAdminUrl());
  url.pathname = `/${name}`;
  return {
    engine: "postgres",
    url: url.toString(),
    target: url.toString(),
    stateDir: dir.path,
    reset: () => {
      drop();
      create();
    },
    remove: () => {
      drop();
      dir.remove();
    },
  };
}

/** A fresh database on the engine this run tests (`KANADE_TEST_DB`). */
export function tempDatabase(engine: TestDbEngine = testDbEngine()): TempDatabase {
  if (engine === "postgres") return tempPostgres();
  const file = tempSqlite();
  return {
    engine,
    url: file.url,
    target: file.path,
    reset: () => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file.path}${suffix}`, { force: true });
    },
    remove: file.remove,
  };
}

/**
 * An empty database handle (not migrated: the test runs `migrate` as far as it needs) for a store's unit
 * tests: in-memory SQLite, or a fresh PostgreSQL database that `close()` also drops.
 */
export function openTestDatabase(engine: TestDbEngine = testDbEngine()): SqlDatabase {
  if (engine === "sqlite") return new SqliteDatabase(":memory:");
  const temp = tempPostgres();
  const db = new PostgresDatabase(temp.url);
  const close = db.close.bind(db);
  db.close = () => {
    close();
    temp.remove();
  };
  return db;
}
