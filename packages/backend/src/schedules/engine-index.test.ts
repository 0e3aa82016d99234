/**
 * The firing loop's due-time index of per_pc rules (pc-index.ts), under an injected clock on a real SQLite file:
 * it learns answers from the results as they arrive, PCs joining the target, a new job version, an edited rule,
 * and a restarted or second backend builds it again from the database.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import type { Schedule } from "@kanade/protocol";
import { sampleResult, tempSqlite } from "@kanade/testkit";
import { openDatabase, type SqlDatabase } from "../db/database.js";
import { openResultsStore, type ResultsStore } from "../results/store.js";
import { createEngine, type Engine } from "./engine.js";
import { openFiresStore } from "./fires-store.js";
import { schedule, type Fired } from "../../test/schedule-parts.js";


describe("per_pc due-time index (injected clock, real SQLite)", () => {
  let sqlite: ReturnType<typeof tempSqlite>;
  let db: SqlDatabase;
  let results: ResultsStore;
  let now: number;
  let fired: Fired[];
  let current: Schedule[];
  let members: string[];
  let version: string;
  const since = Date.parse("2026-01-01T00:00:00Z");

  const engine = (database: SqlDatabase = db): Engine =>
    createEngine({
      fires: openFiresStore(database),
      schedules: () => current.map((schedule) => ({ schedule, since })),
      jobVersion: async () => version,
      resolveTargets: async (t) => (t.groups ? members : (t.pcs ?? [])),
      launch: async (_s, execId, request) => {
        fired.push({ at: new Date(now).toISOString(), execId, request });
      },
      launchRollout: async () => undefined,
      recordAgentFired: async () => undefined,
      execExists: async () => false,
      held: async () => undefined,
      log: pino({ level: "silent" }),
      clock: () => new Date(now),
    });
  const answer = async (f: Fired, pc: string): Promise<void> => {
    await results.insertResults([
      sampleResult({ result_id: uuidv7(), exec_id: f.execId, pc_id: pc, job_id: "j", finished_at: new Date(now).toISOString(), status: "succeeded", exit_code: 0 }),
    ]);
  };
  const at = (text: string): void => {
    now = Date.parse(text);
  };
  const pcsFired = (): string[][] => fired.map((f) => f.request.pcs ?? []);

  beforeEach(() => {
    sqlite = tempSqlite();
    db = openDatabase(sqlite.path);
    results = openResultsStore(db);
    fired = [];
    members = ["pc-1", "pc-2"];
    version = "1.0.0";
  });
  afterEach(() => {
    db.close();
    sqlite.remove();
  });

  it("an answer that arrives between ticks moves that PC's next due time, to the minute", async () => {
    current = [schedule(`when: {per_pc: {every: 5m}}\ntarget: {pcs: [pc-1, pc-2]}\n`)];
    const e = engine();
    at("2026-12-02T00:00:00Z");
    expect(await e.tick()).toBe(1);
    at("2026-12-02T00:02:00Z");
    await answer(fired[0]!, "pc-1"); // pc-2 does not answer
    expect(await e.tick()).toBe(0);
    at("2026-12-02T00:06:59Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T00:07:00Z");
    expect(await e.tick()).toBe(1);
    expect(pcsFired()).toEqual([["pc-1", "pc-2"], ["pc-1"]]);
    // A later answer moves it again: pc-1 answers its second fire at 00:09, so it is due at 00:14, not 00:12.
    at("2026-12-02T00:09:00Z");
    await answer(fired[1]!, "pc-1");
    at("2026-12-02T00:12:00Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T00:14:00Z");
    expect(await e.tick()).toBe(1);
    expect(pcsFired()[2]).toEqual(["pc-1"]);
  });

  it("a PC joining the target is fired within the recheck (about 30 s); the PCs already done are not fired again", async () => {
    current = [schedule(`when: {per_pc: once}\ntarget: {groups: [office]}\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z");
    expect(await e.tick()).toBe(1);
    await answer(fired[0]!, "pc-1");
    await answer(fired[0]!, "pc-2");
    members = ["pc-1", "pc-2", "pc-3"];
    at("2026-12-02T10:00:15Z");
    await e.tick();
    at("2026-12-02T10:00:45Z");
    await e.tick();
    expect(pcsFired()).toEqual([["pc-1", "pc-2"], ["pc-3"]]);
    // A PC that leaves is not fired; one that comes back keeps what it ran.
    members = ["pc-2", "pc-3"];
    at("2026-12-02T10:02:00Z");
    await e.tick();
    members = ["pc-1", "pc-2", "pc-3"];
    at("2026-12-02T10:03:00Z");
    await e.tick();
    expect(fired).toHaveLength(2);
  });

  it("a new job version makes a once_per_version rule due again on every PC", async () => {
    current = [schedule(`when: {per_pc: once_per_version}\ntarget: {pcs: [pc-1, pc-2]}\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z");
    await e.tick();
    await answer(fired[0]!, "pc-1");
    await answer(fired[0]!, "pc-2");
    at("2026-12-02T10:05:00Z");
    expect(await e.tick()).toBe(0);
    version = "1.1.0";
    at("2026-12-02T10:05:40Z");
    expect(await e.tick()).toBe(1);
    expect(pcsFired()).toEqual([["pc-1", "pc-2"], ["pc-1", "pc-2"]]);
  });

  it("an edited rule is due by its new terms at once", async () => {
    current = [schedule(`when: {per_pc: {every: 6h}}\ntarget: {pcs: [pc-1]}\n`)];
    const e = engine();
    at("2026-12-02T00:00:00Z");
    await e.tick();
    at("2026-12-02T00:01:00Z");
    await answer(fired[0]!, "pc-1");
    at("2026-12-02T00:30:00Z");
    expect(await e.tick()).toBe(0);
    current = [schedule(`when: {per_pc: {every: 1h}}\ntarget: {pcs: [pc-1, pc-2]}\n`)];
    expect(await e.tick()).toBe(1); // pc-2 is new in the target
    at("2026-12-02T01:00:59Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T01:01:00Z");
    expect(await e.tick()).toBe(1);
    expect(pcsFired()).toEqual([["pc-1"], ["pc-2"], ["pc-1"]]);
  });

  it("a restarted backend builds the index again from the database: answered PCs at their time, waiting ones not at all", async () => {
    current = [schedule(`when: {per_pc: {every: 1h}}\ntarget: {pcs: [pc-1, pc-2]}\n`)];
    at("2026-12-02T00:00:00Z");
    expect(await engine().tick()).toBe(1);
    at("2026-12-02T00:05:00Z");
    await answer(fired[0]!, "pc-1");
    const restarted = engine(openDatabase(sqlite.path));
    at("2026-12-02T00:30:00Z");
    expect(await restarted.tick()).toBe(0);
    at("2026-12-02T01:04:59Z");
    expect(await restarted.tick()).toBe(0);
    at("2026-12-02T01:05:00Z");
    expect(await restarted.tick()).toBe(1);
    expect(pcsFired()).toEqual([["pc-1", "pc-2"], ["pc-1"]]);
  });

  it("two backends with their own index fire each PC's occurrence once", async () => {
    current = [schedule(`when: {per_pc: {every: 1h}}\ntarget: {pcs: [pc-1, pc-2, pc-3]}\n`)];
    const a = engine();
    const b = engine(openDatabase(sqlite.path));
    at("2026-12-02T00:00:00Z");
    expect((await Promise.all([a.tick(), b.tick()])).reduce((x, y) => x + y)).toBe(1);
    at("2026-12-02T00:05:00Z");
    for (const pc of ["pc-1", "pc-2", "pc-3"]) await answer(fired[0]!, pc);
    for (const t of ["2026-12-02T01:05:00Z", "2026-12-02T01:05:15Z", "2026-12-02T01:06:00Z", "2026-12-02T01:30:00Z"]) {
      at(t);
      await Promise.all([a.tick(), b.tick()]);
    }
    expect(pcsFired().flat().sort()).toEqual(["pc-1", "pc-1", "pc-2", "pc-2", "pc-3", "pc-3"]);
  });

  it("a PC whose window is closed waits for it, then fires when it opens", async () => {
    current = [schedule(`when: {per_pc: {every: 1h}, tz: utc}\ntarget: {pcs: [pc-1]}\nconstraints: {window: "02:00-04:00"}\n`)];
    const e = engine();
    at("2026-12-02T00:00:00Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T01:59:45Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T02:00:00Z");
    expect(await e.tick()).toBe(1);
    expect(fired[0]!.request).toEqual({ pcs: ["pc-1"], deadline_at: "2026-12-02T04:00:00.000Z" });
  });
});
