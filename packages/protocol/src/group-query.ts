/**
 * The dynamic-group filter language: a hand-written lexer and recursive-descent parser. Users never write
 * SQL; a query becomes this AST, which `group-query-eval.ts` evaluates against what the backend knows of a PC.
 *
 *   query      := or
 *   or         := and ( "or" and )*
 *   and        := unary ( "and" unary )*
 *   unary      := "not" unary | "(" or ")" | condition
 *   condition  := field "exists" | field op value
 *   op         := "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~"
 *   value      := "quoted string" | number | version (1.2.3) | duration (30m, 12h, 7d, 2w) | bare word
 */

export const QUERY_OPS = ["=", "!=", "<", "<=", ">", ">=", "~", "!~"] as const;
export type QueryOp = (typeof QUERY_OPS)[number];

export type QueryValue =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "duration"; ms: number; text: string };

export type QueryNode =
  | { type: "and" | "or"; left: QueryNode; right: QueryNode }
  | { type: "not"; expr: QueryNode }
  | { type: "exists"; field: string }
  | { type: "compare"; field: string; op: QueryOp; value: QueryValue };

/** Fields a query may name: exact names, and prefixes followed by a key (`tag.site`, `os.build`, `fact.<job>.<key>`). */
export const QUERY_FIELDS = ["pc_id", "hostname", "agent.version", "last_seen", "app.name", "app.version", "app.publisher"] as const;
export const QUERY_FIELD_PREFIXES = ["tag.", "os.", "hw.", "net.", "fact."] as const;
/** Fields whose value is a point in time: compared with a duration (`last_seen > 7d` = not seen for over 7 days). */
export const TIME_FIELDS = ["last_seen"] as const;

export const QUERY_MAX_LENGTH = 4_000;
const MAX_DEPTH = 64;

/** A query that does not parse: where (1-based column) and which token. */
export class QueryParseError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly token: string,
  ) {
    super(`column ${column}: ${message}`);
    this.name = "QueryParseError";
  }
}

type TokenKind = "word" | "string" | "op" | "lparen" | "rparen" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the query. */
  pos: number;
}

const WORD_RE = /[A-Za-z0-9_.\-:]/;
const DURATION_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")") {
      out.push({ kind: c === "(" ? "lparen" : "rparen", text: c, pos: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        text += src[j];
        j++;
      }
      if (j >= src.length) throw new QueryParseError(`unterminated string starting with ${c}`, i + 1, src.slice(i, i + 20));
      out.push({ kind: "string", text, pos: i });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "!=" || two === "<=" || two === ">=" || two === "!~") {
      out.push({ kind: "op", text: two, pos: i });
      i += 2;
      continue;
    }
    if (c === "=" || c === "<" || c === ">" || c === "~") {
      out.push({ kind: "op", text: c, pos: i });
      i++;
      continue;
    }
    if (WORD_RE.test(c)) {
      let j = i;
      while (j < src.length && WORD_RE.test(src[j]!)) j++;
      out.push({ kind: "word", text: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    throw new QueryParseError(`unexpected character "${c}"`, i + 1, c);
  }
  out.push({ kind: "end", text: "end of query", pos: src.length });
  return out;
}

const KEYWORDS = new Set(["and", "or", "not", "exists"]);
const FIELD_RE = /^[a-z_][a-z0-9_]*(\.[A-Za-z0-9_\-:]+)*$/;

export function isKnownField(field: string): boolean {
  if ((QUERY_FIELDS as readonly string[]).includes(field)) return true;
  return QUERY_FIELD_PREFIXES.some((p) => field.startsWith(p) && field.length > p.length && !field.endsWith("."));
}

function parseValue(t: Token): QueryValue {
  if (t.kind === "string") return { kind: "string", value: t.text };
  if (t.kind !== "word" || KEYWORDS.has(t.text.toLowerCase())) {
    throw new QueryParseError(`expected a value, found "${t.text}"`, t.pos + 1, t.text);
  }
  if (/^-?\d+(\.\d+)?$/.test(t.text)) return { kind: "number", value: Number(t.text) };
  const d = /^(\d+)([smhdw])$/.exec(t.text);
  if (d) return { kind: "duration", ms: Number(d[1]) * DURATION_MS[d[2]!]!, text: t.text };
  return { kind: "string", value: t.text };
}

/** Parses a query; throws QueryParseError naming the column and token at fault. */
export function parseGroupQuery(src: string): QueryNode {
  if (src.length > QUERY_MAX_LENGTH) throw new QueryParseError(`the query is longer than ${QUERY_MAX_LENGTH} characters`, QUERY_MAX_LENGTH + 1, "");
  const tokens = lex(src);
  let k = 0;
  const peek = (): Token => tokens[k]!;
  const next = (): Token => tokens[k++]!;
  const isWord = (t: Token, w: string): boolean => t.kind === "word" && t.text.toLowerCase() === w;
  const fail = (t: Token, what: string): never => {
    throw new QueryParseError(`${what}, found "${t.text}"`, t.pos + 1, t.text);
  };

  const or = (depth: number): QueryNode => {
    let left = and(depth);
    while (isWord(peek(), "or")) {
      next();
      left = { type: "or", left, right: and(depth) };
    }
    return left;
  };
  const and = (depth: number): QueryNode => {
    let left = unary(depth);
    while (isWord(peek(), "and")) {
      next();
      left = { type: "and", left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): QueryNode => {
    const t = peek();
    if (depth > MAX_DEPTH) fail(t, `nested deeper than ${MAX_DEPTH}`);
    if (isWord(t, "not")) {
      next();
      return { type: "not", expr: unary(depth + 1) };
    }
    if (t.kind === "lparen") {
      next();
      const inner = or(depth + 1);
      if (peek().kind !== "rparen") fail(peek(), `expected ")" to close the "(" at column ${t.pos + 1}`);
      next();
      return inner;
    }
    return condition();
  };
  const condition = (): QueryNode => {
    const f = next();
    if (f.kind !== "word" || KEYWORDS.has(f.text.toLowerCase()) || !FIELD_RE.test(f.text)) fail(f, "expected a field such as tag.site, os.build or app.name");
    if (!isKnownField(f.text)) {
      throw new QueryParseError(
        `unknown field "${f.text}" (fields: ${QUERY_FIELDS.join(", ")}, or ${QUERY_FIELD_PREFIXES.map((p) => `${p}<key>`).join(", ")})`,
        f.pos + 1,
        f.text,
      );
    }
    if (isWord(peek(), "exists")) {
      next();
      return { type: "exists", field: f.text };
    }
    const o = next();
    if (o.kind !== "op") fail(o, `expected an operator (${QUERY_OPS.join(" ")}) after "${f.text}"`);
    const op = o.text as QueryOp;
    const vt = next();
    const value = parseValue(vt);
    const timeField = (TIME_FIELDS as readonly string[]).includes(f.text);
    if (timeField && value.kind !== "duration") throw new QueryParseError(`"${f.text}" is compared with a duration such as 7d or 12h`, vt.pos + 1, vt.text);
    if (!timeField && value.kind === "duration") {
      // 30m on a non-time field is a word like any other (a model name, say).
      return { type: "compare", field: f.text, op, value: { kind: "string", value: value.text } };
    }
    if (timeField && (op === "~" || op === "!~")) throw new QueryParseError(`"${op}" does not apply to "${f.text}"`, o.pos + 1, o.text);
    return { type: "compare", field: f.text, op, value };
  };

  const t0 = peek();
  if (t0.kind === "end") throw new QueryParseError("the query is empty", 1, "");
  const ast = or(0);
  if (peek().kind !== "end") fail(peek(), 'expected "and", "or" or the end of the query');
  return ast;
}

/** Every field a query names (to know which facts evaluating it needs). */
export function queryFields(node: QueryNode): string[] {
  const out = new Set<string>();
  const walk = (n: QueryNode): void => {
    switch (n.type) {
      case "and":
      case "or":
        walk(n.left);
        walk(n.right);
        return;
      case "not":
        walk(n.expr);
        return;
      default:
        out.add(n.field);
    }
  };
  walk(node);
  return [...out].sort();
}
