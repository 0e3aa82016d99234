import { describe, expect, it } from "vitest";
import { parseScheduleYaml } from "./schedule.js";

const issuesOf = (yaml: string) => {
  const r = parseScheduleYaml(yaml);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe("schedule documents", () => {
  it("accepts a full schedule and fills the defaults", () => {
    const r = parseScheduleYaml(`
id: nightly-cleanup
job: cleanup-disk-temp
when:
  calendar: {at: "03:00", days: [mon-fri, tue#2, friL]}
  tz: Europe/Berlin
  active: {from: 2026-01-01, until: "2027-01-01T00:00:00Z"}
target: {groups: [office]}
constraints: {window: "22:00-05:00", skip_dates: ["2026-12-24"], max_concurrent: 50}
jitter: 5m
starting_deadline: 2h
`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.schedule).toMatchObject({ enabled: true, runs_on: "backend", when: { tz: "Europe/Berlin" } });
  });

  it("names every bad field", () => {
    expect(
      issuesOf(`
id: Bad Id
job: cleanup
when: {per_pc: twice, tz: Mars/Olympus}
target: {}
constraints: {window: "22:00-22:00", skip_date: ["x"], max_concurrent: 0}
jitter: soon
starting_deadline: 99d
`),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: expected an id/),
        expect.stringMatching(/^when\.per_pc: /),
        expect.stringMatching(/^when\.tz: expected local, utc or an IANA/),
        "target: one of pcs, groups or all is required",
        expect.stringMatching(/^constraints\.window: expected a window/),
        "constraints: unknown field(s): skip_date",
        "constraints.max_concurrent: must be at least 1",
        expect.stringMatching(/^jitter: expected a duration/),
        "starting_deadline: must be at most 24d",
      ]),
    );
  });

  it("refuses zero or two kinds of when, bad days and times, and a misspelt top-level key", () => {
    expect(issuesOf(`id: s\njob: j\ntarget: {all: true}\nwhen: {tz: utc}\n`)).toEqual(["when: exactly one of per_pc, per_target, calendar is required"]);
    expect(issuesOf(`id: s\njob: j\ntarget: {all: true}\nwhen: {per_pc: once, per_target: {every: 1h}}\n`)).toEqual([
      "when: exactly one of per_pc, per_target, calendar may be set; found per_pc, per_target",
    ]);
    expect(issuesOf(`id: s\njob: j\ntarget: {all: true}\nwhen: {calendar: {at: "25:00", days: [mon, tue#6, xyzL]}}\n`)).toEqual([
      "when.calendar.at: expected a time of day like 09:00 or 21:30",
      "when.calendar.days.1: expected a day like mon, mon-fri, tue#2 (second Tuesday) or friL (last Friday)",
      "when.calendar.days.2: expected a day like mon, mon-fri, tue#2 (second Tuesday) or friL (last Friday)",
    ]);
    expect(issuesOf(`id: s\njob: j\ntarget: {all: true}\nwhen: {per_target: {every: 10s}}\nenable: false\n`)).toEqual([
      "when.per_target.every: must be at least 1m",
      ": unknown field(s): enable",
    ]);
    expect(issuesOf(`id: s\njob: j\ntarget: {all: true}\nwhen: {calendar: {at: "09:00", date: "2026-02-30"}}\n`)).toEqual([
      "when.calendar.date: expected a date like 2026-12-24",
    ]);
    expect(issuesOf("id: [")).toEqual([expect.stringMatching(/YAML syntax error at line 1/)]);
    expect(issuesOf(`id: s\njob: j\ntarget: {all: true}\nwhen: {per_pc: once}\nrollout: {waves: [{group: canary, percent: 5, after: 0m}], abort_if_failure_rate: 2}\n`)).toEqual([
      "rollout.waves.0: give exactly one of group, pcs, percent",
      "rollout.abort_if_failure_rate: must be 0-1",
      "rollout: needs a per_target or calendar rule (per_pc fires each PC on its own)",
    ]);
  });

  it("runs_on: agent takes once, once_per_version, per_target and calendar rules, but no interval per PC and no rollout", () => {
    for (const when of ["{per_pc: once}", "{per_pc: once_per_version}", "{per_target: {every: 1h}}", '{calendar: {at: "03:00"}}']) {
      expect(issuesOf(`id: s\njob: j\nruns_on: agent\ntarget: {all: true}\nwhen: ${when}\n`), when).toEqual([]);
    }
    expect(issuesOf(`id: s\njob: j\nruns_on: agent\ntarget: {all: true}\nwhen: {per_pc: {every: 6h}}\n`)).toEqual([
      "when.per_pc: runs_on: agent takes per_pc once or once_per_version; for an interval use per_target: {every: ...}",
    ]);
    expect(issuesOf(`id: s\njob: j\nruns_on: agent\ntarget: {all: true}\nwhen: {per_target: {every: 1h}}\nrollout: {waves: [{group: canary, after: 0m}]}\n`)).toEqual([
      "rollout: needs runs_on: backend (agents fire on their own)",
    ]);
  });

  it("user_defer: strictly validated, each bad field named, and only for runs_on: agent", () => {
    const base = `id: s\njob: j\nruns_on: agent\ntarget: {all: true}\nwhen: {calendar: {at: "03:00"}}\n`;
    const ok = parseScheduleYaml(`${base}user_defer: {max_delay: 4h, max_times: 3}\n`);
    expect(ok.ok && ok.schedule.user_defer).toEqual({ max_delay: "4h", max_times: 3 });
    const absent = parseScheduleYaml(base);
    expect(absent.ok && absent.schedule.user_defer).toBeUndefined();
    expect(issuesOf(`${base}user_defer: {max_delay: soon, max_times: 0}\n`)).toEqual([
      "user_defer.max_delay: expected a duration like 30m or 4h",
      "user_defer.max_times: must be at least 1",
    ]);
    expect(issuesOf(`${base}user_defer: {max_delay: 30s, max_times: 2.5}\n`)).toEqual([
      "user_defer.max_delay: must be at least 1m",
      "user_defer.max_times: expected a whole number",
    ]);
    expect(issuesOf(`${base}user_defer: {max_delay: 8d, max_times: 21}\n`)).toEqual([
      "user_defer.max_delay: must be at most 7d",
      "user_defer.max_times: must be at most 20",
    ]);
    expect(issuesOf(`${base}user_defer: {max_delay: 1h}\n`)).toEqual(["user_defer.max_times: required (a whole number of deferrals, 1 to 20)"]);
    expect(issuesOf(`${base}user_defer: {max_delay: 1h, max_times: 1, max_tims: 2}\n`)).toEqual([expect.stringMatching(/^user_defer: .*max_tims/)]);
    expect(issuesOf(`${base}user_defer: yes\n`)).toEqual(["user_defer: expected {max_delay: <duration>, max_times: <n>}"]);
    expect(issuesOf(base.replace("runs_on: agent", "runs_on: backend") + "user_defer: {max_delay: 1h, max_times: 1}\n")).toEqual([
      "user_defer: needs runs_on: agent (only an agent that fires on its own can put off its fire)",
    ]);
  });
});
