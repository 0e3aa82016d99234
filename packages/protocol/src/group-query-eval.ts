/** Evaluates a parsed group query against what the backend knows of one PC. Pure: no I/O, the clock is passed in. */
import type { QueryNode, QueryOp, QueryValue } from "./group-query.js";

/** Everything a query can look at for one PC. */
export interface PcFacts {
  pc_id: string;
  hostname: string | null;
  agent_version: string | null;
  /** Epoch ms the backend last heard the PC, null when never. */
  last_seen_ms: number | null;
  /** Built-in inventory by category (`os`, `hw`, `net`); `os.family`/`os.version` fall back to the heartbeat. */
  inventory: Partial<Record<"os" | "hw" | "net", Record<string, unknown>>>;
  apps: readonly { name: string; version: string | null; publisher: string | null }[];
  tags: Readonly<Record<string, string>>;
  /** Inventory-job facts: job id → the PC's latest facts. */
  facts: Readonly<Record<string, Record<string, unknown>>>;
}

type Scalar = string | number | boolean;

function descend(value: unknown, path: readonly string[]): Scalar[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => descend(v, path));
  if (path.length === 0) return typeof value === "object" ? [] : [value as Scalar];
  if (typeof value !== "object") return [];
  return descend((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

/** The values a field has on a PC: none (missing), one, or several (apps, arrays in inventory). */
export function fieldValues(f: PcFacts, field: string): Scalar[] {
  switch (field) {
    case "pc_id":
      return [f.pc_id];
    case "hostname":
      return f.hostname === null ? [] : [f.hostname];
    case "agent.version":
      return f.agent_version === null ? [] : [f.agent_version];
    case "app.name":
      return f.apps.map((a) => a.name);
    case "app.version":
      return f.apps.flatMap((a) => (a.version === null ? [] : [a.version]));
    case "app.publisher":
      return f.apps.flatMap((a) => (a.publisher === null ? [] : [a.publisher]));
  }
  const [head, ...rest] = field.split(".");
  if (head === "tag") {
    const v = f.tags[rest.join(".")];
    return v === undefined ? [] : [v];
  }
  if (head === "fact") return descend(f.facts[rest[0]!], rest.slice(1));
  if (head === "os" || head === "hw" || head === "net") return descend(f.inventory[head], rest);
  return [];
}

const NUM_RE = /^-?\d+(\.\d+)?$/;
const VERSION_RE = /^\d+(\.\d+)+$/;

function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Numbers compare as numbers, dotted versions segment by segment, everything else as case-insensitive text. */
export function compareScalar(a: Scalar, b: string | number): number {
  const as = String(a).trim();
  const bs = String(b).trim();
  if (NUM_RE.test(as) && NUM_RE.test(bs)) return Math.sign(Number(as) - Number(bs));
  if ((VERSION_RE.test(as) || NUM_RE.test(as)) && (VERSION_RE.test(bs) || NUM_RE.test(bs))) return compareVersions(as, bs);
  const al = as.toLowerCase();
  const bl = bs.toLowerCase();
  return al < bl ? -1 : al > bl ? 1 : 0;
}

function holds(op: Exclude<QueryOp, "!=" | "!~">, cmp: () => number, contains: () => boolean): boolean {
  switch (op) {
    case "=":
      return cmp() === 0;
    case "<":
      return cmp() < 0;
    case "<=":
      return cmp() <= 0;
    case ">":
      return cmp() > 0;
    case ">=":
      return cmp() >= 0;
    case "~":
      return contains();
  }
}

function compare(f: PcFacts, field: string, op: QueryOp, value: QueryValue, nowMs: number): boolean {
  // `a != v` is `not (a = v)` and `a !~ v` is `not (a ~ v)`: a PC without the field matches them.
  if (op === "!=") return !compare(f, field, "=", value, nowMs);
  if (op === "!~") return !compare(f, field, "~", value, nowMs);
  if (value.kind === "duration") {
    // Time fields compare their age: `last_seen > 7d` = last heard from more than 7 days ago.
    if (f.last_seen_ms === null) return false;
    const age = nowMs - f.last_seen_ms;
    return holds(op, () => Math.sign(age - value.ms), () => false);
  }
  const lit = value.value;
  const needle = String(lit).toLowerCase();
  return fieldValues(f, field).some((v) =>
    holds(
      op,
      () => compareScalar(v, lit),
      () => String(v).toLowerCase().includes(needle),
    ),
  );
}

/** True when the PC matches the query. */
export function evaluateGroupQuery(node: QueryNode, f: PcFacts, nowMs: number): boolean {
  switch (node.type) {
    case "and":
      return evaluateGroupQuery(node.left, f, nowMs) && evaluateGroupQuery(node.right, f, nowMs);
    case "or":
      return evaluateGroupQuery(node.left, f, nowMs) || evaluateGroupQuery(node.right, f, nowMs);
    case "not":
      return !evaluateGroupQuery(node.expr, f, nowMs);
    case "exists":
      return node.field === "last_seen" ? f.last_seen_ms !== null : fieldValues(f, node.field).length > 0;
    case "compare":
      return compare(f, node.field, node.op, node.value, nowMs);
  }
}
