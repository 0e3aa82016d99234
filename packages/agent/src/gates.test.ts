import { describe, expect, it } from "vitest";
import { SKIP_EXIT } from "@kanade/protocol/wire";
import { sampleCommand } from "@kanade/testkit";
import { evaluateGates, type GateInput } from "./gates.js";

const NOW = Date.parse("2026-01-10T12:00:00Z");

const cmd = sampleCommand;

const input = (over: Partial<GateInput> = {}): GateInput => ({ now: NOW, connected: true, cacheAgeMs: 0, facts: {}, unsupported: undefined, ...over });

describe("evaluateGates", () => {
  it("lets a plain command run", () => {
    expect(evaluateGates(cmd(), input())).toEqual({ run: true });
  });

  it("skips 125 once the deadline passed, before any other check", () => {
    const d = evaluateGates(cmd({ deadline_at: "2026-01-10T11:00:00Z" }), input({ facts: { status: "REVOKED" }, unsupported: "no" }));
    expect(d).toMatchObject({ run: false, exitCode: SKIP_EXIT.DEADLINE_PASSED });
  });

  it("runs when the deadline is still ahead", () => {
    expect(evaluateGates(cmd({ deadline_at: "2026-01-10T13:00:00Z" }), input()).run).toBe(true);
  });

  it("skips 126 when revoked, before the version check", () => {
    const d = evaluateGates(cmd(), input({ facts: { status: "REVOKED", current: "9.9.9" } }));
    expect(d).toMatchObject({ run: false, exitCode: SKIP_EXIT.REVOKED });
  });

  it("skips 124 when the current version differs", () => {
    const d = evaluateGates(cmd(), input({ facts: { status: "ACTIVE", current: "2.0.0" } }));
    expect(d).toMatchObject({ run: false, exitCode: SKIP_EXIT.VERSION_MISMATCH });
    if (!d.run) expect(d.reason).toContain("2.0.0");
  });

  it("cached mode allows a job it never heard of, even offline", () => {
    expect(evaluateGates(cmd(), input({ connected: false, cacheAgeMs: undefined })).run).toBe(true);
  });

  it("unchecked mode ignores revocation and pins", () => {
    const d = evaluateGates(cmd({ staleness: { mode: "unchecked" } }), input({ facts: { status: "REVOKED", current: "2.0.0" } }));
    expect(d.run).toBe(true);
  });

  describe("strict mode", () => {
    const strict = cmd({ staleness: { mode: "strict", max_cache_age: "5m" } });
    it("runs when connected and fresh", () => {
      expect(evaluateGates(strict, input({ cacheAgeMs: 60_000 })).run).toBe(true);
    });
    it("skips 127 when disconnected", () => {
      expect(evaluateGates(strict, input({ connected: false }))).toMatchObject({ run: false, exitCode: SKIP_EXIT.STALENESS });
    });
    it("skips 127 when the cache is older than max_cache_age", () => {
      expect(evaluateGates(strict, input({ cacheAgeMs: 6 * 60_000 }))).toMatchObject({ run: false, exitCode: SKIP_EXIT.STALENESS });
    });
    it("skips 127 when the cache never synced", () => {
      expect(evaluateGates(strict, input({ cacheAgeMs: undefined }))).toMatchObject({ run: false, exitCode: SKIP_EXIT.STALENESS });
    });
    it("still refuses a revoked job first", () => {
      expect(evaluateGates(strict, input({ connected: false, facts: { status: "REVOKED" } }))).toMatchObject({ exitCode: SKIP_EXIT.REVOKED });
    });
  });

  it("skips 122 with the reason when the shell cannot run here", () => {
    const d = evaluateGates(cmd({ shell: "cmd" }), input({ unsupported: "shell cmd runs only on Windows" }));
    expect(d).toEqual({ run: false, exitCode: SKIP_EXIT.UNSUPPORTED, reason: "shell cmd runs only on Windows" });
  });
});
