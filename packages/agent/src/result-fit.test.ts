import { describe, expect, it } from "vitest";
import type { ExecResult } from "@kanade/protocol/wire";
import { sampleResult } from "@kanade/testkit";
import { encodedBytes, fitResult, jsonHead } from "./result-fit.js";

const base: ExecResult = sampleResult();
const LIMIT = 1024 * 1024 - 8 * 1024;

describe("fitResult", () => {
  it("leaves a result that fits alone", () => {
    const r = { ...base, stdout: "hi\n" };
    expect(fitResult(r, LIMIT)).toEqual({ result: r, trimmed: [] });
  });

  it("cuts 256 KiB of NULs (1.5 MiB once escaped) to a head that fits, keeping a small stderr whole", () => {
    const r = { ...base, stdout: "\0".repeat(256 * 1024), stderr: "warning\n" };
    expect(encodedBytes(r)).toBeGreaterThan(LIMIT);
    const { result, trimmed } = fitResult(r, LIMIT);
    expect(trimmed).toEqual(["stdout"]);
    expect(encodedBytes(result)).toBeLessThanOrEqual(LIMIT);
    expect(encodedBytes(result)).toBeGreaterThan(LIMIT - 16);
    expect(r.stdout.startsWith(result.stdout)).toBe(true);
    expect([result.stdout_truncated, result.stderr, result.stderr_truncated]).toEqual([true, "warning\n", false]);
  });

  it("shares the room between two oversized streams", () => {
    const r = { ...base, stdout: "\u0001".repeat(256 * 1024), stderr: "\u0002".repeat(256 * 1024) };
    const { result, trimmed } = fitResult(r, LIMIT);
    expect(trimmed).toEqual(["stdout", "stderr"]);
    expect(encodedBytes(result)).toBeLessThanOrEqual(LIMIT);
    expect(Math.abs(result.stdout.length - result.stderr.length)).toBeLessThanOrEqual(1);
  });
});

describe("jsonHead", () => {
  it("never splits a surrogate pair", () => {
    expect(jsonHead("a\u{1F600}b", 2)).toBe("a");
    expect(jsonHead("a\u{1F600}b", 5)).toBe("a\u{1F600}");
    expect(jsonHead("\0\0\0", 13)).toBe("\0\0");
  });
});
