/**
 * The firing rules under an injected clock, on a real SQLite file: what fires, when, and only once. The
 * launcher records each fire instead of publishing it (the real path is covered by test/schedules.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { v5 as uuidv5, v7 as uuidv7 } from "uuid";
import { SCHEDULE_EXEC_NAMESPACE, type Schedule } from "@kanade/protocol";
import { sampleResult, tempSqlite } from "@kanade/testkit";
import { openDatabase, type SqlDatabase } from "../db/database.js";
import { openResultsStore, type ResultsStore } from "../results/store.js";
import { createEngine, type Engine } from "./engine.js";
import { openFiresStore } from "./fires-store.js";
import { schedule, type Fired } from "../../test/schedule-parts.js";


describe("schedule firing rules (injected clock, real SQLite)", () => {
  let sqlite: ReturnType<typeof tempSqlite>;
  let db: SqlDatabase;
  let results: ResultsStore;
  let now: number;
  let fired: Fired[];
  let opened: { at: string; schedule: string; execId: string; occurrence: string }[];
  let current: Schedule[];
  let failLaunch: boolean;
  let since: number;
  const pcs = ["pc-1", "pc-2", "pc-3", "pc-4", "pc-5"];

  const engine = (database: SqlDatabase = db): Engine =>
    createEngine({
      fires: openFiresStore(database),
      schedules: () => current.map((schedule) => ({ schedule, since })),
      jobVersion: async () => "1.0.0",
      resolveTargets: async (t) => (t.all ? pcs : (t.pcs ?? [])),
      launch: async (_s, execId, request) => {
        if (failLaunch) throw new Error("broker down");
        fired.push({ at: new Date(now).toISOString(), execId, request });
      },
      launchRollout: async () => undefined,
      recordAgentFired: async (s, execId, occurrence) => {
        opened.push({ at: new Date(now).toISOString(), schedule: s.id, execId, occurrence });
      },
      execExists: async () => false,
      held: async () => undefined,
      log: pino({ level: "silent" }),
      clock: () => new Date(now),
    });
  const answer = async (f: Fired, pc: string, over: { status?: "succeeded" | "skipped"; exit_code?: number } = {}): Promise<void> => {
    await results.insertResults([
      sampleResult({ result_id: uuidv7(), exec_id: f.execId, pc_id: pc, job_id: "j", finished_at: new Date(now).toISOString(), status: "succeeded", exit_code: 0, ...over }),
    ]);
  };
  const at = (text: string): void => {
    now = Date.parse(text);
  };

  beforeEach(() => {
    sqlite = tempSqlite();
    db = openDatabase(sqlite.path);
    results = openResultsStore(db);
    fired = [];
    opened = [];
    failLaunch = false;
    since = Date.parse("2026-01-01T00:00:00Z");
  });
  afterEach(() => {
    db.close();
    sqlite.remove();
  });

  it("per_pc once: each PC once; a PC that skipped past its deadline (125) is fired again, alone", async () => {
    current = [schedule(`when: {per_pc: once}\ntarget: {pcs: [pc-1, pc-2, pc-3]}\nstarting_deadline: 1h\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z");
    expect(await e.tick()).toBe(1);
    expect(fired[0]!.request).toEqual({ pcs: ["pc-1", "pc-2", "pc-3"], deadline_at: "2026-12-02T11:00:00.000Z" });
    at("2026-12-02T10:05:00Z");
    expect(await e.tick()).toBe(0);
    await answer(fired[0]!, "pc-1");
    await answer(fired[0]!, "pc-3");
    await answer(fired[0]!, "pc-2", { status: "skipped", exit_code: 125 });
    at("2026-12-03T10:00:00Z");
    expect(await e.tick()).toBe(1);
    expect(fired[1]!.request.pcs).toEqual(["pc-2"]);
    await answer(fired[1]!, "pc-2");
    at("2026-12-09T10:00:00Z");
    expect(await e.tick()).toBe(0);
    expect(fired).toHaveLength(2);
  });

  it("per_pc once: a fire unanswered for longer than EXEC keeps commands is sent again (its command is gone)", async () => {
    current = [schedule(`when: {per_pc: once}\ntarget: {pcs: [pc-1]}\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z");
    await e.tick();
    at("2026-12-09T09:58:00Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-09T10:00:00Z");
    expect(await e.tick()).toBe(1);
    expect(fired[1]!.request.pcs).toEqual(["pc-1"]);
    await answer(fired[1]!, "pc-1");
    at("2026-12-30T10:00:00Z");
    expect(await e.tick()).toBe(0);
  });

  it("per_pc every: counted from each PC's own last result, and an offline PC catches up once", async () => {
    current = [schedule(`when: {per_pc: {every: 6h}}\ntarget: {pcs: [pc-1, pc-2]}\n`)];
    const e = engine();
    at("2026-12-02T00:00:00Z");
    await e.tick();
    at("2026-12-02T00:10:00Z");
    await answer(fired[0]!, "pc-1"); // pc-2 is offline
    at("2026-12-02T06:05:00Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T06:10:00Z");
    expect(await e.tick()).toBe(1);
    expect(fired[1]!.request.pcs).toEqual(["pc-1"]);
    // pc-2 stays away for three days: still nothing more for it, however many intervals passed.
    for (const t of ["2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z", "2026-12-05T00:00:00Z"]) {
      at(t);
      await e.tick();
    }
    expect(fired.filter((f) => f.request.pcs?.includes("pc-2"))).toHaveLength(1);
  });

  it("a 02:30 calendar fires once on the spring-forward night (at 03:30) and once on the autumn night", async () => {
    current = [schedule(`when: {calendar: {at: "02:30"}, tz: Europe/Berlin}\ntarget: {all: true}\n`)];
    const e = engine();
    const night = async (from: string, to: string): Promise<string[]> => {
      fired = [];
      since = Date.parse(from);
      for (now = Date.parse(from); now <= Date.parse(to); now += 5 * 60_000) await e.tick();
      return fired.map((f) => f.at);
    };
    expect(await night("2026-03-28T22:00:00Z", "2026-03-29T04:00:00Z")).toEqual(["2026-03-29T01:30:00.000Z"]);
    expect(await night("2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z")).toEqual(["2026-10-25T00:30:00.000Z"]);
  });

  it("catch-up: a backend down over four hourly occurrences fires the latest once; a second backend on the same database does not fire it again", async () => {
    current = [schedule(`when: {per_target: {every: 1h}, tz: utc}\ntarget: {groups: [office]}\njitter: 5m\n`)];
    const a = engine();
    at("2026-12-02T01:10:00Z");
    expect(await a.tick()).toBe(1);
    at("2026-12-02T05:20:00Z");
    const b = engine(openDatabase(sqlite.path));
    expect(await Promise.all([a.tick(), b.tick()])).toEqual(expect.arrayContaining([0, 1]));
    expect(fired.map((f) => f.request)).toEqual([
      { groups: ["office"], jitter: "5m" },
      { groups: ["office"], jitter: "5m" },
    ]);
    expect(await a.tick()).toBe(0);
  });

  it("max_concurrent: a rolling fan-out inside the window, each command due before the window closes", async () => {
    current = [schedule(`when: {calendar: {at: "03:00"}, tz: utc}\ntarget: {all: true}\nconstraints: {window: "22:00-05:00", max_concurrent: 2, skip_dates: ["2026-12-03"]}\n`)];
    const e = engine();
    since = Date.parse("2026-12-02T02:00:00Z");
    at("2026-12-02T02:59:00Z");
    expect(await e.tick()).toBe(0);
    at("2026-12-02T03:00:00Z");
    await e.tick();
    expect(fired.map((f) => f.request)).toEqual([{ pcs: ["pc-1", "pc-2"], deadline_at: "2026-12-02T05:00:00.000Z" }]);
    await e.tick();
    expect(fired).toHaveLength(1);
    await answer(fired[0]!, "pc-1");
    await e.tick();
    expect(fired[1]!.request.pcs).toEqual(["pc-3"]);
    await answer(fired[0]!, "pc-2");
    await answer(fired[1]!, "pc-3");
    await e.tick();
    expect(fired[2]!.request.pcs).toEqual(["pc-4", "pc-5"]);
    // The skip date: nothing on the 3rd.
    at("2026-12-03T03:00:00Z");
    const before = fired.length;
    await e.tick();
    expect(fired).toHaveLength(before);
  });

  it("a fire that could not be launched stays due and goes out on the next tick", async () => {
    current = [schedule(`when: {per_pc: once}\ntarget: {pcs: [pc-1]}\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z");
    failLaunch = true;
    expect(await e.tick()).toBe(0);
    failLaunch = false;
    expect(await e.tick()).toBe(1);
    expect(fired[0]!.request.pcs).toEqual(["pc-1"]);
  });
  it("runs_on agent: opens each due occurrence's execution once, under the exec_id the PCs derive; window and skip dates apply", async () => {
    current = [schedule(`runs_on: agent\nwhen: {per_target: {every: 1h}, tz: utc}\ntarget: {all: true}\nconstraints: {window: "01:00-05:00", skip_dates: ["2026-12-03"]}\n`)];
    since = Date.parse("2026-12-02T00:30:00Z");
    const e = engine();
    at("2026-12-02T00:45:00Z");
    expect(await e.tick()).toBe(0); // outside the window, and the 00:00 occurrence is older than the schedule
    at("2026-12-02T01:00:00Z");
    expect(await e.tick()).toBe(1);
    at("2026-12-02T01:30:00Z");
    expect(await e.tick()).toBe(0);
    expect(await engine(openDatabase(sqlite.path)).tick()).toBe(0); // a second backend on the same database
    at("2026-12-03T02:00:00Z");
    expect(await e.tick()).toBe(0); // the skip date
    const name = "kanade/schedule/s1/2026-12-02T00:30:00.000Z/2026-12-02T01:00:00.000Z";
    expect(opened).toEqual([{ at: "2026-12-02T01:00:00.000Z", schedule: "s1", execId: uuidv5(name, SCHEDULE_EXEC_NAMESPACE), occurrence: "2026-12-02T01:00:00.000Z" }]);
    expect(fired).toEqual([]); // nothing is published: the PCs fire it
  });

  it("runs_on agent: a backend back after the window still opens the occurrence the PCs fired; one the window never allows is not opened", async () => {
    current = [schedule(`runs_on: agent\nwhen: {calendar: {at: "03:00"}, tz: utc}\ntarget: {all: true}\nconstraints: {window: "02:00-04:00"}\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z"); // down from before 03:00 until now
    expect(await e.tick()).toBe(1);
    expect(opened.map((o) => o.occurrence)).toEqual(["2026-12-02T03:00:00.000Z"]);
    current = [schedule(`runs_on: agent\nwhen: {calendar: {at: "05:00"}, tz: utc}\ntarget: {all: true}\nconstraints: {window: "02:00-04:00"}\nstarting_deadline: 2h\n`)];
    at("2026-12-03T05:30:00Z");
    expect(await engine().tick()).toBe(0);
  });

  it("runs_on agent, per_pc once: one execution named 'once' for the whole target", async () => {
    current = [schedule(`runs_on: agent\nwhen: {per_pc: once}\ntarget: {pcs: [pc-1, pc-2]}\n`)];
    const e = engine();
    at("2026-12-02T10:00:00Z");
    expect(await e.tick()).toBe(1);
    at("2026-12-05T10:00:00Z");
    expect(await e.tick()).toBe(0);
    expect(opened.map((o) => [o.occurrence, o.execId])).toEqual([["once", uuidv5("kanade/schedule/s1/2026-01-01T00:00:00.000Z/once", SCHEDULE_EXEC_NAMESPACE)]]);
  });
});
