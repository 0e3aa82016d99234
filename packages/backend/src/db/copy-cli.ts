/**
 * `kanade-backend db copy --from sqlite://<file> --to postgres://… [--json]`: moves an installation's database
 * from SQLite to PostgreSQL (copy.ts). Progress per table on stderr, the summary on stdout (`--json`: as JSON).
 * Exit 0 copied; 1 refused (source not at this schema, target not empty) or failed, nothing committed;
 * 2 bad arguments (unknown option, a URL of the wrong kind, a missing source file).
 */
import { existsSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { copyDatabase, CopyRefused, type CopySummary } from "./copy.js";
import type { SqlDatabase } from "./handle.js";
import { PostgresDatabase } from "./postgres.js";
import { SqliteDatabase } from "./sqlite.js";

const USAGE = "usage: kanade-backend db copy --from sqlite:///path/to/kanade.db --to postgres://user@host:5432/kanade [--json]\n";

/** The URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

class ArgError extends Error {}

/** `sqlite://./kanade.db` → `./kanade.db`, `sqlite:///var/lib/kanade/kanade.db` → `/var/lib/kanade/kanade.db`. */
function sourcePath(from: string): string {
  if (!from.startsWith("sqlite://") || from.length === "sqlite://".length) {
    throw new ArgError(`--from: expected sqlite://<path to the SQLite file>, got "${from}"`);
  }
  const path = from.slice("sqlite://".length);
  if (path === ":memory:") throw new ArgError("--from: an in-memory database has nothing to copy");
  if (!existsSync(path)) throw new ArgError(`--from: no such file: ${path}`);
  if (!statSync(path).isFile()) throw new ArgError(`--from: not a file: ${path}`);
  return path;
}

function checkTargetUrl(to: string): void {
  if (!/^postgres(ql)?:\/\//.test(to)) throw new ArgError(`--to: expected postgres://<user>@<host>/<database>, got "${redactUrl(to)}"`);
  if (!URL.canParse(to)) throw new ArgError(`--to: not a valid postgres:// URL: "${redactUrl(to)}"`);
  if (new URL(to).pathname.replace(/^\//, "") === "") throw new ArgError("--to: the URL names no database (postgres://user@host:5432/<database>)");
}

function printSummary(s: CopySummary, from: string, to: string, out: (s: string) => void): void {
  const width = Math.max(...s.tables.map((t) => t.table.length), 5);
  out(`Copied ${s.rows} rows in ${s.tables.length} tables from ${from} to ${to} in ${(s.ms / 1000).toFixed(1)} s (schema: ${s.migrations} migrations).\n`);
  for (const t of s.tables) out(`  ${t.table.padEnd(width)}  ${t.rows}\n`);
  for (const q of s.sequences) out(`Counter ${q.table}.${q.column} set: the next value is ${q.next}.\n`);
  for (const c of s.conversions) out(`Converted: ${c.table}.${c.column}: ${c.kind} (${c.count} values).\n`);
  out("Every table's row count matches the source. Copy the state directory too, then start kanade-backend on the new DATABASE_URL.\n");
}

export function runDbCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  if (argv[0] !== "copy") {
    err(USAGE);
    return 2;
  }
  let values: { from?: string; to?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv.slice(1)], options: { from: { type: "string" }, to: { type: "string" }, json: { type: "boolean" } }, strict: true }));
  } catch (e) {
    err(`kanade-backend db copy: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  let path: string;
  let to: string;
  try {
    if (!values.from) throw new ArgError("--from is required");
    if (!values.to) throw new ArgError("--to is required");
    path = sourcePath(values.from);
    checkTargetUrl(values.to);
    to = values.to;
  } catch (e) {
    if (!(e instanceof ArgError)) throw e;
    err(`kanade-backend db copy: ${e.message}\n${USAGE}`);
    return 2;
  }
  const shownTo = redactUrl(to);
  let source: SqlDatabase | undefined;
  let target: SqlDatabase | undefined;
  try {
    try {
      source = new SqliteDatabase(path, { readonly: true, readBigInts: true });
      source.pragma("query_only = ON");
    } catch (e) {
      err(`kanade-backend db copy: --from: cannot open ${path} as a SQLite database: ${(e as Error).message}\n`);
      return 1;
    }
    try {
      target = new PostgresDatabase(to);
    } catch (e) {
      err(`kanade-backend db copy: --to: cannot connect to ${shownTo}: ${(e as Error).message}\n`);
      return 1;
    }
    err(`copying ${path} → ${shownTo}\n`);
    const summary = copyDatabase(source, target, {
      onTable: (table, rows, ms) => err(`  ${table}: ${rows} rows (${(ms / 1000).toFixed(1)} s)\n`),
    });
    if (values.json) out(JSON.stringify({ from: path, to: shownTo, ...summary }) + "\n");
    else printSummary(summary, path, shownTo, out);
    return 0;
  } catch (e) {
    if (e instanceof CopyRefused) {
      err(`kanade-backend db copy: ${e.subject === "source" ? `--from ${path}` : `--to ${shownTo}`}: ${e.message}; nothing was written\n`);
      return 1;
    }
    err(`kanade-backend db copy: failed, nothing was committed to ${shownTo}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    source?.close();
    target?.close();
  }
}
