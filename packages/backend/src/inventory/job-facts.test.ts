import { describe, expect, it } from "vitest";
import { diffFacts } from "../db/fleet-store.js";
import { parseFacts } from "./job-facts.js";

describe("inventory job output", () => {
  it("accepts exactly one JSON object", () => {
    expect(parseFacts('{"a":1}\n')).toEqual({ ok: true, facts: { a: 1 } });
    expect(parseFacts("[1,2]")).toMatchObject({ ok: false, error: expect.stringMatching(/one JSON object/) });
    expect(parseFacts("")).toMatchObject({ ok: false, error: expect.stringMatching(/empty/) });
    expect(parseFacts('{"a":1}\n{"b":2}')).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
    expect(parseFacts('{"a":1}', true)).toMatchObject({ ok: false, error: expect.stringMatching(/inline cap/) });
  });

  it("diffs facts field by field", () => {
    expect(diffFacts(undefined, { b: 1, a: "x" })).toEqual([
      { field: "a", change: "appeared", old_value: null, new_value: "x" },
      { field: "b", change: "appeared", old_value: null, new_value: 1 },
    ]);
    expect(diffFacts({ a: "x", b: 1, c: [1] }, { a: "y", c: [1] })).toEqual([
      { field: "a", change: "changed", old_value: "x", new_value: "y" },
      { field: "b", change: "removed", old_value: 1, new_value: null },
    ]);
  });
});
