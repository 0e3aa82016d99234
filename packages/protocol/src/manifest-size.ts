/**
 * How big a job manifest may be. The backend stores the YAML as submitted and the manifest as JSON
 * as one NATS KV value each, and a Command carries the script again: each must fit the broker's
 * max_payload (1 MiB by default), so half of it is the limit, with room for headers and escapes.
 */
import type { ManifestIssue } from "./manifest-issue.js";

/** Most bytes (UTF-8) of a manifest as submitted (YAML or JSON), and of the manifest as JSON. */
export const MAX_MANIFEST_BYTES = 512 * 1024;

/** Deeper than any manifest field (`inventory.display.0.field` is 4); deeper data is refused unwalked. */
const MAX_DEPTH = 32;

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;

/**
 * The issue for a manifest body of `bytes` bytes (YAML text or JSON), or undefined when it fits. Call it before
 * parsing; with the YAML `text`, the issue names the field that holds most of it (found by a line scan).
 */
export function manifestBodySizeIssue(bytes: number, text?: string): ManifestIssue | undefined {
  if (bytes <= MAX_MANIFEST_BYTES) return undefined;
  return {
    path: text === undefined ? "" : bulkiestYamlField(text),
    message: `the manifest is ${kib(bytes)}; at most ${kib(MAX_MANIFEST_BYTES)} (it is stored as one NATS message) — put a large script in a script object`,
  };
}

const KEY_LINE = /^( *)([A-Za-z_][\w-]*)\s*:/;

/**
 * The dotted path (at most two levels, e.g. `execute.script`) of the block mapping key whose lines hold the
 * most characters, without parsing: block scalars and nested content are attributed to the key above them.
 */
export function bulkiestYamlField(text: string): string {
  const sizes = new Map<string, number>();
  const stack: { indent: number; key: string }[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const m = KEY_LINE.exec(line);
    if (m) {
      const indent = m[1]!.length;
      while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      stack.push({ indent, key: m[2]! });
      current = stack.slice(0, 2).map((k) => k.key).join(".");
    }
    if (current) sizes.set(current, (sizes.get(current) ?? 0) + line.length + 1);
  }
  let best = "";
  let most = 0;
  for (const [path, size] of sizes) if (size > most) [best, most] = [path, size];
  return best;
}

/**
 * Bytes of `s` in UTF-8, or of `JSON.stringify(s)` when `json` is set; counting stops once past `cap`.
 * Lone surrogates count as U+FFFD in UTF-8 and as a `\udXXX` escape in JSON, as Node writes them.
 */
export function byteLength(s: string, opts: { json?: boolean; cap?: number } = {}): number {
  const json = opts.json === true;
  const cap = opts.cap ?? Infinity;
  let n = json ? 2 : 0;
  for (let i = 0; i < s.length && n <= cap; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (!json || (c >= 0x20 && c !== 0x22 && c !== 0x5c)) n += 1;
      else if (c >= 0x20 || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) n += 2;
      else n += 6;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += json ? 6 : 3;
      }
    } else {
      n += 3;
    }
  }
  return n;
}

type Key = string | number;
type Walk = { bytes: number; over?: readonly Key[] } | { issue: ManifestIssue };

const dotted = (path: readonly Key[]): string => path.map(String).join(".");

function scalarBytes(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? String(v).length : 4;
  if (typeof v === "boolean") return v ? 4 : 5;
  if (typeof v === "bigint") return String(v).length;
  return 4; // null, and undefined in an array, are written as `null`
}

/**
 * JSON size of `v`, stopping once past `budget`; `over` names the field to blame when the budget
 * ran out: the biggest one walked, down to a string or an array (blamed as a whole, not one item).
 */
function walk(v: unknown, budget: number, at: readonly Key[], open: Set<object>): Walk {
  if (typeof v === "string") {
    const bytes = byteLength(v, { json: true, cap: budget });
    return bytes > budget ? { bytes, over: at } : { bytes };
  }
  if (v === null || typeof v !== "object") {
    const bytes = scalarBytes(v);
    return bytes > budget ? { bytes, over: at } : { bytes };
  }
  if (open.has(v)) return { issue: { path: dotted(at), message: "contains itself (a recursive YAML alias)" } };
  if (at.length >= MAX_DEPTH) return { issue: { path: dotted(at), message: `is nested too deeply (at most ${MAX_DEPTH} levels)` } };
  open.add(v);
  try {
    const isArray = Array.isArray(v);
    const entries: [Key, unknown][] = isArray ? [...v.entries()] : Object.entries(v);
    let bytes = 2; // the brackets
    let first = true;
    let largest: { bytes: number; path: readonly Key[] } | undefined;
    for (const [k, child] of entries) {
      if (!isArray && child === undefined) continue; // JSON leaves such keys out
      bytes += (first ? 0 : 1) + (isArray ? 0 : byteLength(String(k), { json: true }) + 1);
      first = false;
      const w = walk(child, budget - bytes, [...at, k], open);
      if ("issue" in w) return w;
      bytes += w.bytes;
      if (!largest || w.bytes > largest.bytes) largest = { bytes: w.bytes, path: w.over ?? [...at, k] };
      // Blame the biggest field seen, not the small one that happened to come last.
      if (bytes > budget) return { bytes, over: isArray ? at : largest.path };
    }
    return bytes > budget ? { bytes, over: at } : { bytes };
  } finally {
    open.delete(v);
  }
}

/**
 * Refuses a parsed manifest that would be over MAX_MANIFEST_BYTES as JSON, naming the field that
 * makes it so (aliases can make a small YAML text big), or that contains itself or nests absurdly deep.
 * Walks at most MAX_MANIFEST_BYTES of data whatever the input.
 */
export function manifestValueSizeIssue(value: unknown): ManifestIssue | undefined {
  const w = walk(value, MAX_MANIFEST_BYTES, [], new Set());
  if ("issue" in w) return w.issue;
  if (w.over === undefined) return undefined;
  const limit = `over ${kib(MAX_MANIFEST_BYTES)} as JSON, the most a job can store (one NATS message)`;
  const path = dotted(w.over);
  return path ? { path, message: `too big: makes the manifest ${limit}` } : { path, message: `the manifest is ${limit}` };
}
