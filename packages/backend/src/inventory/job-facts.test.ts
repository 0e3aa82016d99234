import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ExecResult } from "@kanade/protocol";
import { diffFacts } from "../db/fleet-store.js";
import type { Catalog } from "../jobs/catalog.js";
import { createJobFactsProjector, parseFacts } from "./job-facts.js";

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

describe("inventory job projector", () => {
  it("asks the catalog once per job version, not once per batch", async () => {
    let current: { version: string; inventory?: object } = { version: "1.0.0", inventory: {} };
    const asked: string[] = [];
    const applied: string[] = [];
    const projector = createJobFactsProjector({
      catalog: { get: async (id) => (asked.push(id), { id, ...current } as unknown as Awaited<ReturnType<Catalog["get"]>>) },
      fleet: { applyJobFacts: async (fs) => (applied.push(...fs.map((f) => f.result_id)), fs.length) },
      log: pino({ level: "silent" }),
    });
    const result = (id: string, version: string, stdout = '{"a":1}'): ExecResult => ({
      result_id: id, exec_id: "e", request_id: "q", job_id: "inv", version, pc_id: "pc", status: "succeeded", exit_code: 0,
      stdout, stderr: "", stdout_truncated: false, stderr_truncated: false, started_at: null, finished_at: "2026-01-01T00:00:00.000Z",
    });
    for (let i = 0; i < 5; i++) expect(await projector.project([result(`r${i}`, "1.0.0")])).toEqual(["pc"]);
    expect(asked).toEqual(["inv"]);
    expect(applied).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    // A new version is a new question; one the catalog no longer holds is asked each time.
    current = { version: "2.0.0" };
    const bad = result("r5", "2.0.0", "not json");
    // Only PCs whose facts were stored are returned (dynamic groups on fact.* re-evaluate those).
    expect(await projector.project([bad, result("r6", "1.0.0", "not json")])).toEqual([]);
    expect(asked).toEqual(["inv", "inv"]);
    expect(bad.status).toBe("succeeded"); // 2.0.0 is not an inventory job: its stdout is left alone
  });
});
