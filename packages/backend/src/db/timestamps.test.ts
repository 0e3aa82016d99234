import { describe, expect, it } from "vitest";
import { jsonbRows } from "./dialect.js";
import { isoUtc } from "./timestamps.js";

describe("isoUtc", () => {
  it("writes every offset as UTC with milliseconds, so timestamps sort as text", () => {
    expect(isoUtc("2026-12-03T10:15:00+09:00")).toBe("2026-12-03T01:15:00.000Z");
    expect(isoUtc("2026-12-03T01:15:00Z")).toBe("2026-12-03T01:15:00.000Z");
    expect(isoUtc("2026-12-03T01:15:00.5-01:30")).toBe("2026-12-03T02:45:00.500Z");
    expect(isoUtc("2026-12-03T01:15:00.123Z")).toBe("2026-12-03T01:15:00.123Z");
  });

  it("refuses what is not a time", () => {
    expect(() => isoUtc("yesterday")).toThrow(RangeError);
  });
});

describe("jsonbRows", () => {
  it("serializes rows as JSON, NUL characters (which jsonb cannot hold) as U+FFFD", () => {
    expect(jsonbRows([{ a: "x", n: 1, z: null }])).toBe('[{"a":"x","n":1,"z":null}]');
    expect(JSON.parse(jsonbRows([{ a: "be\u0000fore", b: "plain" }]))).toEqual([{ a: "be\uFFFDfore", b: "plain" }]);
  });

  it("leaves text that only looks like an escaped NUL as it was", () => {
    const rows = [{ a: "C:\\u0000\\dir", b: "\\" }];
    expect(JSON.parse(jsonbRows(rows))).toEqual(rows);
  });
});
