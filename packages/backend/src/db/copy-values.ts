/**
 * One SQLite value as the PostgreSQL column `db copy` writes it to expects it. SQLite keeps whatever a row was
 * given (a column's type is only an affinity); PostgreSQL checks each value against the column's type. Today's
 * schema has only BIGINT, DOUBLE PRECISION and TEXT on PostgreSQL (booleans 0/1, JSON and timestamps as TEXT on
 * both engines), so most values pass as they are; what PostgreSQL cannot take is converted and counted (`note`),
 * or refused with what was found.
 */
import type { SqlValue } from "./handle.js";

/** What a value went through on its way, counted per table and column in the summary. */
export type ConversionKind = "NUL characters written as U+FFFD" | "fraction rounded to an integer" | "bytes read as UTF-8 text" | "number written as text";

const INTEGER_TYPES = new Set(["bigint", "integer", "smallint"]);
const FLOAT_TYPES = new Set(["double precision", "real", "numeric"]);
const TEXT_TYPES = new Set(["text", "character varying", "character"]);

function describe(v: unknown): string {
  if (typeof v === "string") return `text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
  return `${typeof v} ${String(v)}`;
}

function refuse(v: unknown, type: string): never {
  throw new Error(`holds ${describe(v)} where the PostgreSQL column is ${type}`);
}

/** PostgreSQL text cannot hold U+0000 (SQLite text can, e.g. a script's output). */
function asText(s: string, note: (k: ConversionKind) => void): string {
  if (!s.includes("\u0000")) return s;
  note("NUL characters written as U+FFFD");
  return s.replaceAll("\u0000", "\uFFFD");
}

/** `v` as a value for a PostgreSQL column of `type` (information_schema's `data_type`); throws why not. */
export function toTargetValue(v: unknown, type: string, note: (k: ConversionKind) => void): SqlValue {
  if (v === null || v === undefined) return null;
  if (INTEGER_TYPES.has(type)) {
    if (typeof v === "bigint") return v;
    if (typeof v === "number" && Number.isFinite(v)) {
      if (Number.isInteger(v)) return v;
      note("fraction rounded to an integer");
      return Math.round(v);
    }
    if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return v.trim();
    return refuse(v, type);
  }
  if (FLOAT_TYPES.has(type)) {
    if (typeof v === "bigint" || (typeof v === "number" && Number.isFinite(v))) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return v.trim();
    return refuse(v, type);
  }
  if (TEXT_TYPES.has(type)) {
    if (typeof v === "string") return asText(v, note);
    if (typeof v === "number" || typeof v === "bigint") {
      note("number written as text");
      return String(v);
    }
    if (v instanceof Uint8Array) {
      note("bytes read as UTF-8 text");
      return asText(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("utf8"), note);
    }
    return refuse(v, type);
  }
  if (type === "boolean") {
    if (typeof v === "number" || typeof v === "bigint") return Number(v) !== 0 ? "true" : "false";
    if (typeof v === "string" && /^(t|f|true|false|0|1)$/i.test(v)) return v;
    return refuse(v, type);
  }
  if (type === "bytea") {
    if (v instanceof Uint8Array) return v;
    if (typeof v === "string") return Buffer.from(v, "utf8");
    return refuse(v, type);
  }
  if (type.startsWith("timestamp") && (typeof v === "number" || typeof v === "bigint")) {
    // Milliseconds since the epoch, as the stores write `at_ms`-style columns.
    const d = new Date(Number(v));
    if (Number.isNaN(d.getTime())) return refuse(v, type);
    return d.toISOString();
  }
  // jsonb, ISO timestamps and whatever else a later migration may use: PostgreSQL parses the text form itself.
  if (typeof v === "string") return asText(v, note);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return refuse(v, type);
}
