import { describe, expect, it } from "vitest";
import { parseScheduleYaml, type Schedule } from "./schedule.js";
import { commandDeadline, latestOccurrence, planFires } from "./schedule-plan.js";
import { calendarAfter, instantOf, wallOf } from "./schedule-time.js";

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (text: string): number => Date.parse(text);

function schedule(yaml: string): Schedule {
  const r = parseScheduleYaml(`id: s\njob: j\ntarget: {all: true}\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.schedule;
}

describe("wall clock in a zone", () => {
  it("moves a time skipped by spring-forward on by the gap, and takes the first of a repeated hour", () => {
    // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
    expect(iso(instantOf({ y: 2026, m: 3, d: 29 }, 150, "Europe/Berlin"))).toBe("2026-03-29T01:30:00.000Z"); // 03:30 CEST
    expect(iso(instantOf({ y: 2026, m: 10, d: 25 }, 150, "Europe/Berlin"))).toBe("2026-10-25T00:30:00.000Z"); // first 02:30 (CEST)
    expect(iso(instantOf({ y: 2026, m: 7, d: 1 }, 9 * 60, "America/New_York"))).toBe("2026-07-01T13:00:00.000Z");
    expect(wallOf(at("2026-10-25T01:30:00Z"), "Europe/Berlin")).toMatchObject({ hh: 2, mm: 30 }); // the second 02:30 (CET)
  });

  it("fires a daily 02:30 once on the spring-forward day (at 03:30) and once on the autumn day", () => {
    const spring = calendarAfter({ at: "02:30" }, "Europe/Berlin", at("2026-03-28T12:00:00Z"), 3).map(iso);
    expect(spring).toEqual(["2026-03-29T01:30:00.000Z", "2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z"]);
    const autumn = calendarAfter({ at: "02:30" }, "Europe/Berlin", at("2026-10-24T12:00:00Z"), 3).map(iso);
    expect(autumn).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z", "2026-10-27T01:30:00.000Z"]);
  });
});

describe("preview", () => {
  it("matches hand-computed dates for weekdays, the second Tuesday and the last Friday", () => {
    const s = schedule(`when: {calendar: {at: "09:00", days: [mon-fri, tue#2, friL]}, tz: utc}\n`);
    // mon-fri already covers tue#2 and friL: ten weekdays from Thursday 2026-12-03.
    const weekdays = planFires(s, at("2026-12-02T10:00:00Z"), 10).map((f) => iso(f.fire_at).slice(0, 10));
    expect(weekdays).toEqual(["2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14", "2026-12-15", "2026-12-16"]);
    const special = schedule(`when: {calendar: {at: "09:00", days: [tue#2, friL]}, tz: America/New_York}\n`);
    const fires = planFires(special, at("2026-12-02T10:00:00Z"), 5).map((f) => iso(f.fire_at));
    // Dec 2026: 2nd Tue = 8th, last Fri = 25th; Jan 2027: 12th, 29th; Feb 2027: 9th. New York is UTC-5 in winter.
    expect(fires).toEqual([
      "2026-12-08T14:00:00.000Z",
      "2026-12-25T14:00:00.000Z",
      "2027-01-12T14:00:00.000Z",
      "2027-01-29T14:00:00.000Z",
      "2027-02-09T14:00:00.000Z",
    ]);
  });

  it("keeps a cleanup at 03:00 on weekdays inside a window across midnight, skipping the listed dates", () => {
    const s = schedule(`when: {calendar: {at: "03:00", days: [mon-fri]}, tz: Europe/Berlin}
constraints: {window: "22:00-05:00", skip_dates: ["2026-12-24", "2026-12-25"]}
starting_deadline: 1h
`);
    const fires = planFires(s, at("2026-12-21T12:00:00Z"), 4).map((f) => iso(f.fire_at));
    expect(fires).toEqual(["2026-12-22T02:00:00.000Z", "2026-12-23T02:00:00.000Z", "2026-12-28T02:00:00.000Z", "2026-12-29T02:00:00.000Z"]);
    // The command must start before the occurrence's starting_deadline (04:00), inside the window (05:00).
    expect(iso(commandDeadline(s, at("2026-12-22T02:00:00Z"), at("2026-12-22T02:00:00Z"))!)).toBe("2026-12-22T03:00:00.000Z");
  });

  it("holds an occurrence outside its window until the window opens, and drops it when it expires first", () => {
    const waits = schedule(`when: {calendar: {at: "12:00"}, tz: utc}\nconstraints: {window: "22:00-05:00"}\n`);
    expect(planFires(waits, at("2026-12-02T11:00:00Z"), 2).map((f) => iso(f.fire_at))).toEqual(["2026-12-02T22:00:00.000Z", "2026-12-03T22:00:00.000Z"]);
    expect(iso(commandDeadline(waits, at("2026-12-02T12:00:00Z"), at("2026-12-02T22:00:00Z"))!)).toBe("2026-12-03T05:00:00.000Z");
    const tooLate = schedule(`when: {calendar: {at: "12:00"}, tz: utc}\nconstraints: {window: "22:00-05:00"}\nstarting_deadline: 2h\n`);
    expect(planFires(tooLate, at("2026-12-02T11:00:00Z"), 2)).toEqual([]);
  });

  it("slots per_target intervals from active.from and honours a one-shot date", () => {
    const s = schedule(`when: {per_target: {every: 6h}, tz: utc, active: {from: "2026-12-01T01:00:00Z", until: "2026-12-02T00:00:00Z"}}\n`);
    expect(planFires(s, at("2026-11-30T00:00:00Z"), 10).map((f) => iso(f.fire_at))).toEqual([
      "2026-12-01T01:00:00.000Z",
      "2026-12-01T07:00:00.000Z",
      "2026-12-01T13:00:00.000Z",
      "2026-12-01T19:00:00.000Z",
    ]);
    const once = schedule(`when: {calendar: {date: "2026-12-24", at: "18:00"}, tz: Asia/Tokyo}\n`);
    expect(planFires(once, at("2026-12-01T00:00:00Z"), 10).map((f) => iso(f.fire_at))).toEqual(["2026-12-24T09:00:00.000Z"]);
  });
});

describe("catch-up", () => {
  it("a backend that was down over several occurrences finds only the latest one still due", () => {
    const s = schedule(`when: {per_target: {every: 1h}, tz: utc}\n`);
    // Down from 01:10 to 05:20: the 02:00, 03:00, 04:00 slots are gone; 05:00 is due until 06:00.
    expect(latestOccurrence(s, at("2026-12-02T05:20:00Z"))).toEqual({ at: at("2026-12-02T05:00:00Z"), expires: at("2026-12-02T06:00:00Z") });
    const daily = schedule(`when: {calendar: {at: "03:00"}, tz: utc}\nstarting_deadline: 2h\n`);
    const occ = latestOccurrence(daily, at("2026-12-02T04:00:00Z"))!;
    expect([iso(occ.at), iso(occ.expires)]).toEqual(["2026-12-02T03:00:00.000Z", "2026-12-02T05:00:00.000Z"]);
    expect(latestOccurrence(daily, at("2026-12-02T06:00:00Z"))!.expires).toBeLessThan(at("2026-12-02T06:00:00Z"));
  });
});

describe("active", () => {
  it("plans a schedule that starts years ahead from its start, and never fires an occurrence from before it", () => {
    const s = schedule(`when: {calendar: {at: "03:00", days: [mon-fri]}, tz: utc, active: {from: 2030-01-01}}\n`);
    expect(planFires(s, at("2026-12-02T00:00:00Z"), 3).map((f) => iso(f.fire_at))).toEqual([
      "2030-01-01T03:00:00.000Z",
      "2030-01-02T03:00:00.000Z",
      "2030-01-03T03:00:00.000Z",
    ]);
    const late = schedule(`when: {calendar: {at: "23:00"}, tz: utc, active: {from: "2026-12-02T00:00:00Z"}}\n`);
    expect(planFires(late, at("2026-12-01T23:30:00Z"), 1).map((f) => iso(f.fire_at))).toEqual(["2026-12-02T23:00:00.000Z"]);
  });
});
