/**
 * Store SQL as PostgreSQL reads it. The stores write one SQL text for both engines; what still differs in
 * spelling is rewritten here, once per prepared statement, token by token (never inside string literals,
 * quoted names or comments):
 * - placeholders `?`, `?NNN`, `@name`, `:name`, `$name` become `$1…$n` (a repeated name or number reuses its `$k`);
 * - `user` (a column of several tables, a reserved word in PostgreSQL) becomes `"user"`;
 * - `LIKE` becomes `ILIKE`: SQLite's LIKE ignores ASCII case, and the API answers must stay the same.
 */

/** Where each `$k` takes its value from: the k-th positional value (0-based) or a named one. */
export type Slot = { pos: number } | { name: string };

export interface PgSql {
  text: string;
  slots: Slot[];
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const DIGITS = /[0-9]+/y;

function matchAt(re: RegExp, s: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(s)?.[0];
}

/** Rewrites `sql`; with `placeholders: false` (exec of DDL) parameters are left alone. */
export function toPostgres(sql: string, placeholders = true): PgSql {
  let out = "";
  const slots: Slot[] = [];
  const byKey = new Map<string, number>();
  let nextPos = 0;
  const slot = (key: string, s: Slot): string => {
    let k = byKey.get(key);
    if (k === undefined) {
      slots.push(s);
      k = slots.length;
      byKey.set(key, k);
    }
    return `$${k}`;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const j = sql.indexOf("*/", i + 2);
      const end = j < 0 ? sql.length : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (placeholders && c === "?") {
      const n = matchAt(DIGITS, sql, i + 1);
      if (n !== undefined) {
        out += slot(`?${Number(n)}`, { pos: Number(n) - 1 });
        i += 1 + n.length;
      } else {
        out += slot(`?#${nextPos}`, { pos: nextPos });
        nextPos++;
        i++;
      }
    } else if (placeholders && (c === "@" || c === "$" || (c === ":" && sql[i + 1] !== ":" && sql[i - 1] !== ":"))) {
      const name = matchAt(WORD, sql, i + 1);
      if (name === undefined) {
        out += c;
        i++;
      } else {
        out += slot(`@${name}`, { name });
        i += 1 + name.length;
      }
    } else if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? " ")) {
      const word = matchAt(WORD, sql, i)!;
      if (word === "user") out += '"user"';
      else if (word.toUpperCase() === "LIKE") out += "ILIKE";
      else out += word;
      i += word.length;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, slots };
}

/** True for the one-object-of-named-values form of the parameters. */
function isNamedObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !ArrayBuffer.isView(v) && !Array.isArray(v);
}

/** The values for `$1…$n`, in order, from what the store passed (as it would pass them to SQLite). */
export function bind(slots: readonly Slot[], params: readonly unknown[]): unknown[] {
  const named = isNamedObject(params[0]) ? params[0] : undefined;
  const positional = named ? params.slice(1) : params;
  return slots.map((s) => {
    const v = "pos" in s ? positional[s.pos] : named?.[s.name];
    if (v === undefined) return null;
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "boolean") return v ? 1 : 0;
    // PostgreSQL text cannot hold U+0000 (SQLite can): a script that printed one would fail its result's insert.
    if (typeof v === "string" && v.includes("\u0000")) return v.replaceAll("\u0000", "\uFFFD");
    return v;
  });
}
