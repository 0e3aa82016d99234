/**
 * Schedules in `local` or `utc` are planned without Intl (schedule-time.ts, LOCAL_ZONE): the first
 * Intl.DateTimeFormat costs a process (an agent holding standing orders) ~10 MiB resident for its life.
 * Each check runs in a child process with its own TZ, so the plan of `local` can be compared with the
 * plan of the same zone named, across both DST changes, half-hour offsets and a half-hour DST shift.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const CHILD = `
let made = 0;
const Real = Intl.DateTimeFormat;
Intl.DateTimeFormat = new Proxy(Real, {
  construct: (t, a, nt) => (made++, Reflect.construct(t, a, nt)),
  apply: (t, self, a) => (made++, Reflect.apply(t, self, a)),
});
const { validateSchedule, planFires } = await import("@kanade/protocol/wire");
const plan = (tz, when) => {
  const r = validateSchedule({ id: "s", job: "j", target: { all: true }, when: { ...when, tz } });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return planFires(r.schedule, Date.parse("2026-01-01T00:00:00Z"), 400).map((f) => f.fire_at);
};
const daily = { calendar: { at: "02:30" } };
const weekly = { calendar: { at: "23:45", days: ["sun"] } };
const out = { local: [plan("local", daily), plan("local", weekly)], utc: plan("utc", daily) };
out.intl_made = made;
out.named = [plan(process.env.TZ, daily), plan(process.env.TZ, weekly)];
out.utc_named = plan("UTC", daily);
console.log(JSON.stringify(out));
`;

function planIn(tz: string): { local: number[][]; utc: number[]; intl_made: number; named: number[][]; utc_named: number[] } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD], { cwd: import.meta.dirname, env: { ...process.env, TZ: tz }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof planIn>;
}

describe("schedules in local and utc", () => {
  for (const tz of ["Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata"]) {
    it(`plan without Intl and as the zone named (${tz})`, () => {
      const r = planIn(tz);
      expect(r.intl_made).toBe(0);
      expect(r.local[0]).toHaveLength(400);
      expect(r.local).toEqual(r.named);
      expect(r.utc).toEqual(r.utc_named);
    });
  }
});
