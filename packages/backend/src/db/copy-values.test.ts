/** `db copy`'s value conversions: what SQLite may hold, as the PostgreSQL column types take it, or refused by name. */
import { describe, expect, it } from "vitest";
import { toTargetValue, type ConversionKind } from "./copy-values.js";

function convert(v: unknown, type: string): { value: unknown; notes: ConversionKind[] } {
  const notes: ConversionKind[] = [];
  return { value: toTargetValue(v, type, (k) => notes.push(k)), notes };
}

describe("toTargetValue", () => {
  it("passes what PostgreSQL takes as it is", () => {
    expect(convert(null, "bigint")).toEqual({ value: null, notes: [] });
    expect(convert(9007199254740993n, "bigint")).toEqual({ value: 9007199254740993n, notes: [] });
    expect(convert(1.25, "double precision")).toEqual({ value: 1.25, notes: [] });
    expect(convert('{"a":1}', "text")).toEqual({ value: '{"a":1}', notes: [] });
    expect(convert("2026-01-01T00:00:00.000Z", "timestamp with time zone")).toEqual({ value: "2026-01-01T00:00:00.000Z", notes: [] });
  });

  it("converts, and says so, what PostgreSQL would refuse", () => {
    expect(convert("a\u0000b\u0000", "text")).toEqual({ value: "a\uFFFDb\uFFFD", notes: ["NUL characters written as U+FFFD"] });
    expect(convert(1.5, "bigint")).toEqual({ value: 2, notes: ["fraction rounded to an integer"] });
    expect(convert(7n, "text")).toEqual({ value: "7", notes: ["number written as text"] });
    expect(convert(new TextEncoder().encode("héllo"), "text")).toEqual({ value: "héllo", notes: ["bytes read as UTF-8 text"] });
    expect(convert(1n, "boolean").value).toBe("true");
    expect(convert(0, "boolean").value).toBe("false");
    expect(convert(0, "timestamp with time zone").value).toBe("1970-01-01T00:00:00.000Z");
    expect(convert(" 42 ", "bigint").value).toBe("42");
  });

  it("refuses a value the column cannot hold, saying what it found", () => {
    expect(() => convert("twelve", "bigint")).toThrow('holds text "twelve" where the PostgreSQL column is bigint');
    expect(() => convert("", "double precision")).toThrow("where the PostgreSQL column is double precision");
    expect(() => convert("maybe", "boolean")).toThrow("boolean");
    expect(() => convert(new Uint8Array(3), "bigint")).toThrow("holds 3 bytes");
  });
});
