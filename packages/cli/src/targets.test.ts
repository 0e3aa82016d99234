import { describe, expect, it } from "vitest";
import { cliErrorOf } from "../test/fixtures.js";
import { exitCodeFor } from "./errors.js";
import { buildExecRequest, splitList } from "./targets.js";

describe("target flags", () => {
  it("accepts repeated, space-separated and comma-separated values alike", () => {
    expect(splitList(["a", "b"])).toEqual(["a", "b"]);
    expect(splitList(["a,b"])).toEqual(["a", "b"]);
    expect(splitList(["a", "b,c", " d , ,a"])).toEqual(["a", "b", "c", "d"]);
    expect(splitList(undefined)).toEqual([]);
  });

  it("builds the request body the API expects", () => {
    expect(buildExecRequest({ pcs: ["pc-1,pc-2"], groups: ["lab"], jitter: "5m" })).toEqual({
      pcs: ["pc-1", "pc-2"],
      groups: ["lab"],
      jitter: "5m",
    });
    expect(buildExecRequest({ all: true, deadline: "2026-01-31T18:00:00Z" })).toEqual({
      all: true,
      deadline_at: "2026-01-31T18:00:00Z",
    });
  });

  it("refuses a run with no target as bad input", () => {
    const err = cliErrorOf(() => buildExecRequest({ pcs: [" , "], jitter: "5m" }));
    expect(err.message).toMatch(/no target/);
    expect(exitCodeFor(err)).toBe(2);
  });

  it("names each bad flag and value", () => {
    const err = cliErrorOf(() => buildExecRequest({ pcs: ["ok-pc", "bad pc"], jitter: "soon", deadline: "tomorrow" }));
    expect(exitCodeFor(err)).toBe(2);
    const byPath = Object.fromEntries(err.details.map((d) => [d.path, d.message]));
    expect(byPath["--pcs"]).toMatch(/"bad pc"/);
    expect(byPath["--jitter"]).toMatch(/duration/);
    expect(byPath["--deadline"]).toMatch(/RFC 3339/);
  });
});
