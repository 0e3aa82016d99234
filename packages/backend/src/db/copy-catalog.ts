/**
 * What `db copy` (copy.ts) reads of each side's schema: the tables and their columns as the engines' own
 * catalogues list them (SQLite's `sqlite_master` / `pragma_table_info`, PostgreSQL's `information_schema`),
 * so a table a future migration adds is copied without a list to keep up to date here.
 */
import type { SqlDatabase } from "./handle.js";

/** Migration bookkeeping: each side writes its own (the target's `migrate` already did). */
export const BOOKKEEPING_TABLE = "schema_migrations";

export interface TargetColumn {
  name: string;
  /** PostgreSQL's `data_type`: `bigint`, `text`, `double precision`, … */
  type: string;
  nullable: boolean;
  hasDefault: boolean;
  /** `ALWAYS` or `BY DEFAULT` for an identity column; undefined otherwise. */
  identity?: string;
  /** A serial column's sequence default (`nextval(…)`). */
  serial: boolean;
}

/** A name as an SQL identifier, quoted (both engines read double quotes the same way). */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function sqliteTables(db: SqlDatabase): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
}

export function sqliteColumns(db: SqlDatabase, table: string): string[] {
  return db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid").pluck().all(table) as string[];
}

/** True when the SQLite table has the implicit `rowid` (not a WITHOUT ROWID table). */
export function sqliteHasRowid(db: SqlDatabase, table: string): boolean {
  try {
    db.prepare(`SELECT rowid FROM ${quoteName(table)} LIMIT 0`).all();
    return true;
  } catch {
    return false;
  }
}

export function sqliteMigrationIds(db: SqlDatabase): string[] | undefined {
  if (!sqliteTables(db).includes(BOOKKEEPING_TABLE)) return undefined;
  return db.prepare(`SELECT id FROM ${BOOKKEEPING_TABLE}`).pluck().all() as string[];
}

export function postgresTables(db: SqlDatabase): string[] {
  return db
    .prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
    .pluck()
    .all() as string[];
}

export function postgresColumns(db: SqlDatabase, table: string): TargetColumn[] {
  const rows = db
    .prepare(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS dflt, is_identity AS ident,
              identity_generation AS gen
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
    )
    .all(table) as { name: string; type: string; nullable: string; dflt: string | null; ident: string; gen: string | null }[];
  return rows.map((r) => ({
    name: r.name,
    type: r.type,
    nullable: r.nullable === "YES",
    hasDefault: r.dflt !== null || r.ident === "YES",
    ...(r.ident === "YES" ? { identity: r.gen ?? "BY DEFAULT" } : {}),
    serial: r.dflt !== null && r.dflt.startsWith("nextval("),
  }));
}

/** The tables of the target's schema that have triggers of their own (not the ones constraints make). */
export function postgresTriggerTables(db: SqlDatabase): string[] {
  return db
    .prepare(
      `SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY c.relname`,
    )
    .pluck()
    .all() as string[];
}

/** The tables (other than the bookkeeping) that hold at least one row. */
export function nonEmptyTables(db: SqlDatabase, tables: readonly string[]): string[] {
  return tables.filter((t) => t !== BOOKKEEPING_TABLE && db.prepare(`SELECT 1 FROM ${quoteName(t)} LIMIT 1`).get() !== undefined);
}

export function countRows(db: SqlDatabase, table: string): number {
  return Number(db.prepare(`SELECT COUNT(*) FROM ${quoteName(table)}`).pluck().get());
}
