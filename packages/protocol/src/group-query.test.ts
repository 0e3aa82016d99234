import { describe, expect, it } from "vitest";
import { parseGroupQuery, queryFields, QueryParseError } from "./group-query.js";
import { evaluateGroupQuery, type PcFacts } from "./group-query-eval.js";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400_000;

const pc = (over: Partial<PcFacts> = {}): PcFacts => ({
  pc_id: "pc-1",
  hostname: "OSAKA-PC-1",
  agent_version: "0.2.10",
  last_seen_ms: NOW - 2 * DAY,
  inventory: { os: { family: "windows", name: "Microsoft Windows 10 Pro", version: "10.0.19044", build: "19044" }, hw: { ram_bytes: 8 * 2 ** 30, disks: [{ type: "SSD" }, { type: "HDD" }] } },
  apps: [{ name: "Google Chrome", version: "120.0.1", publisher: "Google LLC" }],
  tags: { site: "osaka", owner: "it" },
  facts: { bitlocker: { enabled: false, volumes: 2 } },
  ...over,
});
const matches = (q: string, f: PcFacts = pc()): boolean => evaluateGroupQuery(parseGroupQuery(q), f, NOW);

function parseError(q: string): QueryParseError {
  try {
    parseGroupQuery(q);
  } catch (err) {
    if (err instanceof QueryParseError) return err;
    throw err;
  }
  throw new Error(`"${q}" parsed`);
}

describe("group query parser", () => {
  it("parses precedence: not binds tighter than and, and tighter than or", () => {
    expect(parseGroupQuery('a.x = 1 or tag.b = "2" and not tag.c = 3'.replace("a.x", "tag.a"))).toEqual({
      type: "or",
      left: { type: "compare", field: "tag.a", op: "=", value: { kind: "number", value: 1 } },
      right: {
        type: "and",
        left: { type: "compare", field: "tag.b", op: "=", value: { kind: "string", value: "2" } },
        right: { type: "not", expr: { type: "compare", field: "tag.c", op: "=", value: { kind: "number", value: 3 } } },
      },
    });
  });

  it("reads durations, versions, bare words, quotes with escapes, exists and every operator", () => {
    expect(parseGroupQuery("last_seen > 7d")).toEqual({ type: "compare", field: "last_seen", op: ">", value: { kind: "duration", ms: 7 * DAY, text: "7d" } });
    expect(parseGroupQuery("agent.version >= 0.2.1")).toMatchObject({ value: { kind: "string", value: "0.2.1" } });
    expect(parseGroupQuery("tag.site = osaka")).toMatchObject({ value: { kind: "string", value: "osaka" } });
    expect(parseGroupQuery('app.name ~ "Say \\"hi\\""')).toMatchObject({ op: "~", value: { value: 'Say "hi"' } });
    expect(parseGroupQuery("tag.owner exists")).toEqual({ type: "exists", field: "tag.owner" });
    for (const op of ["=", "!=", "<", "<=", ">", ">=", "~", "!~"]) expect(parseGroupQuery(`hostname ${op} x`)).toMatchObject({ op });
    expect(queryFields(parseGroupQuery("(os.build < 19045 or app.name ~ x) and tag.site = osaka and tag.site exists"))).toEqual(["app.name", "os.build", "tag.site"]);
  });

  it.each([
    ["", 1, "", "the query is empty"],
    ["tag.site =", 11, "end of query", "expected a value"],
    ["tag.site = osaka and", 21, "end of query", "expected a field"],
    ["tag.site osaka", 10, "osaka", "expected an operator"],
    ["(tag.site = osaka", 18, "end of query", 'expected ")" to close the "(" at column 1'],
    ["tag.site = osaka)", 17, ")", 'expected "and", "or"'],
    ["colour = red", 1, "colour", 'unknown field "colour"'],
    ["tag.site = 'osaka", 12, "'osaka", "unterminated string"],
    ["tag.site = osaka & os.build < 1", 18, "&", 'unexpected character "&"'],
    ["last_seen > yesterday", 13, "yesterday", "compared with a duration"],
    ["last_seen ~ 7d", 11, "~", "does not apply"],
    ["tag.site = and", 12, "and", "expected a value"],
    ["tag. = x", 1, "tag.", "expected a field"],
  ])("refuses %j at column %i, token %j", (q, column, token, message) => {
    const err = parseError(q);
    expect(err.column).toBe(column);
    expect(err.token).toBe(token);
    expect(err.message).toContain(`column ${column}`);
    expect(err.message).toContain(message);
  });

  it("refuses queries nested too deep or too long instead of overflowing", () => {
    expect(parseError(`${"(".repeat(100)}tag.a = 1${")".repeat(100)}`).message).toContain("nested deeper");
    expect(parseError(`tag.a = "${"x".repeat(5_000)}"`).message).toContain("longer than");
  });
});

describe("group query evaluation", () => {
  it("compares numbers as numbers, versions by segment, text case-insensitively", () => {
    expect(matches("os.build < 19045")).toBe(true);
    expect(matches("os.build < 9999")).toBe(false);
    expect(matches("agent.version < 0.2.9")).toBe(false);
    expect(matches("agent.version >= 0.2.9")).toBe(true);
    expect(matches('tag.site = "OSAKA"')).toBe(true);
    expect(matches("hostname ~ osaka-pc")).toBe(true);
    expect(matches("hw.ram_bytes >= 8589934592")).toBe(true);
  });

  it("tag, app and array fields: any value may match; != and !~ are the negations (a missing field matches them)", () => {
    expect(matches('app.name ~ "chrome" and not tag.owner = "finance"')).toBe(true);
    expect(matches('app.name !~ "firefox"')).toBe(true);
    expect(matches("hw.disks.type = hdd")).toBe(true);
    expect(matches("tag.rack = 4")).toBe(false);
    expect(matches("tag.rack != 4")).toBe(true);
    expect(matches("tag.rack exists")).toBe(false);
    expect(matches("tag.site exists and app.publisher ~ google")).toBe(true);
    expect(matches("fact.bitlocker.enabled = false and fact.bitlocker.volumes > 1")).toBe(true);
  });

  it("last_seen compares the time since the PC was last heard", () => {
    expect(matches("last_seen > 1d")).toBe(true);
    expect(matches("last_seen > 7d")).toBe(false);
    expect(matches("last_seen < 3d")).toBe(true);
    expect(matches("last_seen > 1d", pc({ last_seen_ms: null }))).toBe(false);
  });

  it("or, and, not and parentheses combine as written", () => {
    expect(matches("(tag.site = tokyo or tag.site = osaka) and os.build < 19045")).toBe(true);
    expect(matches("tag.site = tokyo or tag.site = osaka and os.build > 19045")).toBe(false);
    expect(matches("not (tag.site = tokyo or tag.owner = it)")).toBe(false);
  });
});
