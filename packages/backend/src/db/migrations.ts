/**
 * Schema migrations, applied in order. Each has a stable id recorded in `schema_migrations`, so
 * features can add their own migration (one entry appended to migrations-features.ts) without renumbering anyone else's.
 *
 * One set for both engines. `sql` is written in the DDL both read; on PostgreSQL it goes through
 * `portableDdl` (INTEGER → BIGINT, REAL → DOUBLE PRECISION, no WITHOUT ROWID). The few steps PostgreSQL
 * spells differently (triggers, SQLite-only data fixes that a new PostgreSQL database has no rows for)
 * carry a `postgres` variant. db/schema.test.ts migrates both engines and checks that the tables, columns
 * and indexes come out the same.
 */
import type { SqlDatabase } from "./handle.js";
import type { Migration } from "./migration-types.js";
import { FEATURE_MIGRATIONS } from "./migrations-features.js";
import { FOUNDATION_MIGRATIONS } from "./migrations-foundation.js";

export type { Migration } from "./migration-types.js";

/** SQLite DDL as PostgreSQL reads it: wide integers (SQLite's are 64-bit), doubles, and no WITHOUT ROWID. */
export function portableDdl(sql: string): string {
  return sql
    .replace(/\)\s*WITHOUT ROWID/g, ")")
    .replace(/\bINTEGER\b/g, "BIGINT")
    .replace(/\bREAL\b/g, "DOUBLE PRECISION");
}

/** The text a migration runs on `engine`. */
export function migrationSql(m: Migration, engine: SqlDatabase["engine"]): string {
  if (engine === "sqlite") return m.sql;
  if (typeof m.postgres === "string") return m.postgres;
  const ddl = portableDdl(m.sql);
  return m.postgres ? m.postgres(ddl) : ddl;
}

/** Every migration in the order it runs: the foundation, then each feature's, appended as features came. */
export const MIGRATIONS: readonly Migration[] = [...FOUNDATION_MIGRATIONS, ...FEATURE_MIGRATIONS];

/** Runs the migrations this database has not seen yet, each in its own transaction; returns how many ran. */
export function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const applied = new Set(
    (db.prepare("SELECT id FROM schema_migrations").all() as { id: string }[]).map((r) => r.id),
  );
  let ran = 0;
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(migrationSql(m, db.engine));
      db.prepare("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)").run(m.id, new Date().toISOString());
    })();
    ran++;
  }
  return ran;
}
