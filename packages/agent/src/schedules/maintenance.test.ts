/**
 * maintenance.list|defer under an injected clock, with the real state files: deferring within the schedule's
 * user_defer limits, refusing beyond max_delay, max_times and the occurrence's last start, keeping deferrals
 * across a restart, and the scheduler firing at the deferred time, not before.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { scheduleSchema, type AgentEvent, type Command } from "@kanade/protocol";
import { tempDir, testCommandKeys, type TempDir } from "@kanade/testkit";
import { Deferrals } from "./deferrals.js";
import { FiredOccurrences } from "./fired-occurrences.js";
import { LastSeenFreeze } from "./freeze-seen.js";
import { Maintenance, MaintenanceRefusal } from "./maintenance.js";
import { AgentScheduler } from "./scheduler.js";
import { StandingOrders } from "./standing-orders.js";

const log = pino({ level: "silent" });
const SINCE = "2026-12-01T00:00:00.000Z";

function order(id: string, schedule: Record<string, unknown>): string {
  const unsigned = {
    schedule_id: id,
    schedule: scheduleSchema.parse({ id, job: "cleanup", runs_on: "agent", target: { all: true }, ...schedule }),
    since: SINCE,
    command: { job_id: "cleanup", version: "1.0.0", shell: "sh", script: "echo hi", timeout_secs: 60, run_as: "system", staleness: { mode: "cached" } },
    issued_at: SINCE,
    issued_by: `schedule:${id}`,
  };
  return JSON.stringify({ ...unsigned, signature: testCommandKeys().signer.sign("scheduleOrder", unsigned) });
}

/** Daily at 01:00 UTC, window 01:00-05:00, must start within 3h; the user may put it off 2h in total, twice. */
const NIGHTLY = {
  when: { calendar: { at: "01:00" }, tz: "utc" },
  constraints: { window: "01:00-05:00" },
  starting_deadline: "3h",
  user_defer: { max_delay: "2h", max_times: 2 },
};

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof MaintenanceRefusal) return `${err.kind}: ${err.message}`;
    throw err;
  }
  throw new Error("expected a refusal");
};

describe("maintenance.list|defer (injected clock, real state files)", () => {
  let dir: TempDir;
  let now: number;
  let runs: Command[];
  let events: AgentEvent[];
  const at = (iso: string): void => {
    now = Date.parse(iso);
  };
  /** A fresh process: orders, fired occurrences and deferrals read back from the files. */
  const boot = () => {
    const orders = new StandingOrders(dir.join("orders.json"), () => testCommandKeys().keys, log);
    const fired = new FiredOccurrences(dir.join("fired.json"), log);
    const deferrals = new Deferrals(dir.join("maintenance-deferrals.json"), log);
    const maintenance = new Maintenance({ pcId: "pc-1", orders: () => orders.all(), groups: () => [], fired, deferrals, report: (e) => events.push(e), now: () => now });
    const scheduler = new AgentScheduler({
      pcId: "pc-1",
      orders: () => orders.all(),
      held: (ms) => new LastSeenFreeze(undefined, log).held(ms),
      groups: () => [],
      fired,
      deferredUntil: (id, execId) => deferrals.untilMs(id, execId),
      run: (cmd) => runs.push(cmd),
      log,
      now: () => now,
    });
    return { orders, maintenance, scheduler };
  };

  beforeEach(() => {
    dir = tempDir("kanade-agent-maint-");
    runs = [];
    events = [];
  });
  afterEach(() => dir.remove());

  it("lists the next occurrence with its limits, defers within them, refuses past max_delay, and fires at the deferred time after a restart", () => {
    let a = boot();
    a.orders.offer("nightly", order("nightly", NIGHTLY));
    at("2026-12-02T00:30:00Z");
    expect(a.maintenance.list()).toEqual([
      {
        schedule_id: "nightly",
        job_id: "cleanup",
        occurrence: "2026-12-02T01:00:00.000Z",
        next_fire_at: "2026-12-02T01:00:00.000Z",
        window: "01:00-05:00",
        latest_start: "2026-12-02T04:00:00.000Z",
        defer: { allowed: true, max_delay: "2h", max_times: 2, times_left: 2, latest_until: "2026-12-02T03:00:00.000Z" },
      },
    ]);
    expect(a.maintenance.defer("uid:1000", "nightly", "1h")).toEqual({
      schedule_id: "nightly",
      occurrence: "2026-12-02T01:00:00.000Z",
      deferred_until: "2026-12-02T02:00:00.000Z",
      times_left: 1,
    });
    expect(events).toEqual([
      expect.objectContaining({
        kind: "maintenance_deferred",
        pc_id: "pc-1",
        user: "uid:1000",
        source: "klp",
        job_id: "cleanup",
        data: expect.objectContaining({ schedule_id: "nightly", until: "2026-12-02T02:00:00.000Z", by: "1h", times_used: 1, max_times: 2 }),
      }),
    ]);
    // 02:00 + 90m is 2h30m after 01:00.
    expect(refusal(() => a.maintenance.defer("uid:1001", "nightly", "90m"))).toBe(
      "refused: max_delay: that puts it off by 2h30m in total, the schedule allows 2h (at the latest 2026-12-02T03:00:00.000Z)",
    );
    expect(events).toHaveLength(1);
    expect(readFileSync(dir.join("maintenance-deferrals.json"), "utf8")).toContain("uid:1000");

    a = boot(); // restart: the deferral comes back from the file
    expect(a.maintenance.list()[0]).toMatchObject({ next_fire_at: "2026-12-02T02:00:00.000Z", defer: { times_left: 1, deferred_until: "2026-12-02T02:00:00.000Z" } });
    at("2026-12-02T01:00:00Z");
    expect(a.scheduler.tick()).toBe(0);
    at("2026-12-02T01:59:59Z");
    expect(a.scheduler.tick()).toBe(0);
    at("2026-12-02T02:00:00Z");
    expect(a.scheduler.tick()).toBe(1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ issued_at: "2026-12-02T02:00:00.000Z", deadline_at: "2026-12-02T04:00:00.000Z" });
    // Fired: the list moves on to tomorrow's occurrence, with a fresh allowance.
    expect(a.maintenance.list()[0]).toMatchObject({ occurrence: "2026-12-03T01:00:00.000Z", defer: { times_left: 2 } });
  });

  it("refuses a third deferral when max_times is 2, and never past the occurrence's window or starting_deadline", () => {
    const a = boot();
    a.orders.offer("nightly", order("nightly", NIGHTLY));
    a.orders.offer("short", order("short", { ...NIGHTLY, constraints: { window: "01:00-02:00" }, user_defer: { max_delay: "4h", max_times: 5 } }));
    at("2026-12-02T01:00:00Z");
    expect(a.maintenance.defer("uid:1000", "nightly", "30m").deferred_until).toBe("2026-12-02T01:30:00.000Z");
    expect(a.maintenance.defer("uid:1001", "nightly", "30m")).toMatchObject({ deferred_until: "2026-12-02T02:00:00.000Z", times_left: 0 });
    expect(refusal(() => a.maintenance.defer("uid:1000", "nightly", "5m"))).toBe("refused: max_times: this occurrence was already deferred 2 time(s), the schedule allows 2");
    expect(a.maintenance.list().find((i) => i.schedule_id === "nightly")?.defer).toMatchObject({ times_left: 0, latest_until: null });
    // The window closes at 02:00: it must start by 01:59 (the agent's minute of margin).
    expect(a.maintenance.list().find((i) => i.schedule_id === "short")).toMatchObject({ latest_start: "2026-12-02T02:00:00.000Z", defer: { latest_until: "2026-12-02T01:59:00.000Z" } });
    expect(refusal(() => a.maintenance.defer("uid:1000", "short", "1h"))).toBe(
      "refused: it must start before the close of its window 01:00-02:00 (2026-12-02T02:00:00.000Z); it can be put off to 2026-12-02T01:59:00.000Z at the latest",
    );
    expect(a.maintenance.defer("uid:1000", "short", "59m").deferred_until).toBe("2026-12-02T01:59:00.000Z");
    at("2026-12-02T01:59:00Z");
    expect(a.scheduler.tick()).toBe(1); // short; nightly waits for 02:00
    at("2026-12-02T02:00:00Z");
    expect(a.scheduler.tick()).toBe(1);
    // Each run keeps its own start deadline: the window's close, the starting_deadline.
    expect(runs.map((r) => [r.issued_at, r.deadline_at])).toEqual([
      ["2026-12-02T01:59:00.000Z", "2026-12-02T02:00:00.000Z"],
      ["2026-12-02T02:00:00.000Z", "2026-12-02T04:00:00.000Z"],
    ]);
    expect(events.map((e) => e.user)).toEqual(["uid:1000", "uid:1001", "uid:1000"]);
  });

  it("refuses schedules without user_defer, unknown ones, and a step under a minute; lists once-per-PC schedules until they ran", () => {
    const a = boot();
    a.orders.offer("plain", order("plain", { when: { calendar: { at: "01:00" }, tz: "utc" } }));
    a.orders.offer("setup", order("setup", { when: { per_pc: "once" }, starting_deadline: "2h", user_defer: { max_delay: "1d", max_times: 1 } }));
    at("2026-12-02T10:00:00Z");
    expect(refusal(() => a.maintenance.defer("uid:1000", "plain", "1h"))).toBe('refused: schedule "plain" does not allow deferral (it has no user_defer)');
    expect(refusal(() => a.maintenance.defer("uid:1000", "nope", "1h"))).toBe('not_found: no agent-side schedule "nope" on this PC');
    expect(refusal(() => a.maintenance.defer("uid:1000", "setup", "30s"))).toBe("refused: by: must be at least 1m");
    // plain's 01:00 occurrence has no deadline: it is still due (it catches up now).
    expect(a.maintenance.list().map((i) => [i.schedule_id, i.occurrence, i.next_fire_at, i.defer.allowed])).toEqual([
      ["plain", "2026-12-02T01:00:00.000Z", "2026-12-02T10:00:00.000Z", false],
      ["setup", "once", "2026-12-02T10:00:00.000Z", true],
    ]);
    expect(a.maintenance.defer("uid:1000", "setup", "8h").deferred_until).toBe("2026-12-02T18:00:00.000Z");
    expect(a.scheduler.tick()).toBe(1); // plain only
    expect(a.maintenance.list().map((i) => [i.schedule_id, i.next_fire_at])).toEqual([
      ["setup", "2026-12-02T18:00:00.000Z"],
      ["plain", "2026-12-03T01:00:00.000Z"],
    ]);
    at("2026-12-02T18:00:00Z");
    expect(a.scheduler.tick()).toBe(1);
    expect(runs.map((r) => r.job_id)).toHaveLength(2);
    expect(a.maintenance.list().map((i) => i.schedule_id)).toEqual(["plain"]);
  });
});
