/**
 * One migration set, two engines: migrating an empty SQLite file and an empty PostgreSQL database must give
 * the same tables, columns (name, NOT NULL, primary key), indexes (name, table, unique) and triggers. The
 * planned differences: PostgreSQL's results table carries the `rowid` SQLite has implicitly, and a trigger
 * that keeps it in commit order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "./handle.js";
import { migrate, MIGRATIONS } from "./migrations.js";

interface Schema {
  tables: Record<string, { columns: string[]; pk: string[] }>;
  indexes: Record<string, string>;
  triggers: string[];
}

function sqliteSchema(db: SqlDatabase): Schema {
  const tables: Schema["tables"] = {};
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  for (const t of names) {
    const cols = db.prepare("SELECT name, \"notnull\" AS nn, pk FROM pragma_table_info(?) ORDER BY cid").all(t) as { name: string; nn: number; pk: number }[];
    tables[t] = {
      // SQLite lets a PRIMARY KEY column hold NULL unless it says NOT NULL; PostgreSQL never does: compare as keys.
      columns: cols.map((c) => `${c.name}${c.nn || c.pk ? " NOT NULL" : ""}`),
      pk: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
    };
  }
  const indexes: Schema["indexes"] = {};
  for (const i of db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; tbl_name: string; sql: string }[]) {
    indexes[i.name] = `${/^CREATE UNIQUE/i.test(i.sql) ? "unique " : ""}${i.tbl_name}`;
  }
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all() as string[];
  return { tables, indexes, triggers };
}

function postgresSchema(db: SqlDatabase): Schema {
  const tables: Schema["tables"] = {};
  const names = db.prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name").pluck().all() as string[];
  for (const t of names) {
    const cols = db
      .prepare("SELECT column_name AS name, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position")
      .all(t) as { name: string; nullable: string }[];
    const pk = db
      .prepare(
        `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      )
      .pluck()
      .all(t) as string[];
    tables[t] = { columns: cols.map((c) => `${c.name}${c.nullable === "NO" ? " NOT NULL" : ""}`), pk };
  }
  const indexes: Schema["indexes"] = {};
  // Named indexes only: not the ones PostgreSQL makes for PRIMARY KEY and UNIQUE constraints (SQLite's autoindexes).
  const rows = db
    .prepare(
      `SELECT c.relname AS name, t.relname AS tbl, i.indisunique AS uniq FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    )
    .all() as { name: string; tbl: string; uniq: number }[];
  for (const i of rows) indexes[i.name] = `${i.uniq ? "unique " : ""}${i.tbl}`;
  const triggers = db.prepare("SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY trigger_name").pluck().all() as string[];
  return { tables, indexes, triggers };
}

describe("migrations on SQLite and PostgreSQL", () => {
  let sqlite: SqlDatabase;
  let postgres: SqlDatabase;
  beforeAll(() => {
    sqlite = openTestDatabase("sqlite");
    postgres = openTestDatabase("postgres");
  });
  afterAll(() => {
    sqlite?.close();
    postgres?.close();
  });

  it("give both engines the same tables, columns, keys, indexes and triggers", () => {
    expect(migrate(sqlite)).toBe(MIGRATIONS.length);
    expect(migrate(postgres)).toBe(MIGRATIONS.length);
    const a = sqliteSchema(sqlite);
    const b = postgresSchema(postgres);
    expect(b.tables.results?.columns).toContain("rowid NOT NULL");
    b.tables.results!.columns = b.tables.results!.columns.filter((c) => c !== "rowid NOT NULL");
    // ... and a trigger that keeps those rowids visible in order when several backends write (SQLite's single writer does that).
    expect(b.triggers).toContain("results_insert_order");
    b.triggers = b.triggers.filter((t) => t !== "results_insert_order");
    expect(Object.keys(a.tables).length).toBeGreaterThan(30);
    expect(b).toEqual(a);
    // Migrating again does nothing on either.
    expect(migrate(sqlite)).toBe(0);
    expect(migrate(postgres)).toBe(0);
  });
});
