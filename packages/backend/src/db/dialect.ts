/**
 * The few SQL fragments the two engines spell differently, for stores whose SQL needs one of them. Each takes
 * the handle's engine and SQL expressions (column names or placeholders), and returns SQL text.
 */
import type { SqlEngine } from "./handle.js";

/** A subquery giving each element of a JSON array of strings (`expr`, JSON text) as column `value`. */
export function jsonTextValues(engine: SqlEngine, expr: string): string {
  return engine === "sqlite" ? `SELECT value FROM json_each(${expr})` : `SELECT jsonb_array_elements_text(CAST(${expr} AS jsonb)) AS value`;
}

/** True where `haystack` contains `needle` as is (no LIKE wildcards, case as given). */
export function containsText(engine: SqlEngine, haystack: string, needle: string): string {
  return engine === "sqlite" ? `instr(${haystack}, ${needle}) > 0` : `strpos(${haystack}, ${needle}) > 0`;
}

/**
 * Rows as one jsonb parameter, for PostgreSQL's `jsonb_to_recordset` (a batch in one statement instead of a round
 * trip per row). jsonb cannot hold U+0000: written as U+FFFD, as the bridge does for plain text parameters.
 */
export function jsonbRows(rows: readonly object[]): string {
  // Without a replacer JSON.stringify takes V8's fast path (a fan-out's batch of 1,000 results: several times
  // faster); only text that may hold a NUL (its escape appears in the output) is serialized again, string by string.
  const json = JSON.stringify(rows);
  return json.includes("\\u0000") ? JSON.stringify(rows, (_k, v: unknown) => (typeof v === "string" ? v.replaceAll("\u0000", "\uFFFD") : v)) : json;
}
