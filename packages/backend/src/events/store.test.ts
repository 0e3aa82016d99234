import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TimelineEvent } from "@kanade/protocol";
import { migrate } from "../db/migrations.js";
import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "../db/handle.js";
import { pruneEvents } from "./retention.js";
import { openEventsStore, TRANSITIONS_PER_TRANSACTION, type EventsStore } from "./store.js";

const ev = (n: number, pc: string, kind: TimelineEvent["kind"], at: string, extra: Partial<TimelineEvent> = {}): TimelineEvent => ({
  event_id: n.toString(16).padStart(32, "0"),
  pc_id: pc,
  kind,
  at,
  received_at: at,
  ...extra,
});

describe("events store", () => {
  let db: SqlDatabase;
  let store: EventsStore;
  beforeEach(() => {
    db = openTestDatabase();
    migrate(db);
    store = openEventsStore(db);
  });
  afterEach(() => db.close());

  it("stores each event id once and lists newest first by pc, kind and time, with every field back", async () => {
    const events = [
      ev(1, "pc-1", "agent_started", "2026-01-01T00:00:00.000Z"),
      ev(2, "pc-2", "user_logon", "2026-01-02T00:00:00.000Z", { user: "alice", source: "wtmp" }),
      ev(3, "pc-1", "script", "2026-01-03T00:00:00.000Z", { name: "done", message: "m", data: { a: [1] }, exec_id: "0190f0e0-0000-7000-8000-000000000001", job_id: "j", source: "script" }),
    ];
    expect(await store.insertEvents(events)).toBe(3);
    expect(await store.insertEvents(events)).toBe(0);
    expect((await store.listEvents({ limit: 10 })).map((e) => e.event_id.slice(-1))).toEqual(["3", "2", "1"]);
    expect((await store.listEvents({ limit: 10, pc: "pc-1" })).map((e) => e.event_id.slice(-1))).toEqual(["3", "1"]);
    expect((await store.listEvents({ limit: 10, kind: "user_logon" }))).toEqual([events[1]]);
    expect((await store.listEvents({ limit: 10, since: "2026-01-02T00:00:00.000Z", until: "2026-01-03T00:00:00.000Z" })).map((e) => e.kind)).toEqual(["user_logon"]);
    expect((await store.listEvents({ limit: 1, pc: "pc-1" }))[0]).toEqual(events[2]);
    const after = { at: "2026-01-03T00:00:00.000Z", id: events[2]!.event_id };
    expect((await store.listEvents({ limit: 10, after })).map((e) => e.event_id.slice(-1))).toEqual(["2", "1"]);
  });

  it("prunes only what is older than the retention, in bounded batches", async () => {
    const old = Array.from({ length: 25 }, (_, i) => ev(i + 1, "pc-1", "agent_started", `2025-01-01T00:00:${String(i).padStart(2, "0")}.000Z`));
    const kept = ev(100, "pc-1", "agent_stopped", "2026-06-01T00:00:00.000Z");
    await store.insertEvents([...old, kept]);
    let calls = 0;
    const counting = { pruneBefore: async (before: string, batch: number) => (calls++, store.pruneBefore(before, batch)) };
    expect(await pruneEvents(counting, new Date("2026-01-01T00:00:00Z"), 10)).toBe(25);
    expect(calls).toBe(3);
    expect((await store.listEvents({ limit: 100 })).map((e) => e.kind)).toEqual(["agent_stopped"]);
  });

  it("records a presence transition together with its event", async () => {
    await store.recordTransitions([{ presence: { pc_id: "pc-1", online: false, changed_at: "2026-01-01T00:00:00.000Z" }, event: ev(7, "pc-1", "agent_offline", "2026-01-01T00:00:00.000Z") }]);
    expect([...(await store.presence()).values()]).toEqual([{ pc_id: "pc-1", online: false, changed_at: "2026-01-01T00:00:00.000Z" }]);
    expect((await store.listEvents({ limit: 5 })).map((e) => e.kind)).toEqual(["agent_offline"]);
  });

  it("records a fleet's worth of transitions in several transactions, letting other work run between them", async () => {
    const n = TRANSITIONS_PER_TRANSACTION * 2 + 7;
    const at = "2026-01-01T00:00:00.000Z";
    const changes = Array.from({ length: n }, (_, i) => ({ presence: { pc_id: `pc-${i}`, online: true, changed_at: at }, event: ev(1000 + i, `pc-${i}`, "agent_online", at) }));
    // Work queued before the call runs before the call is done only if the call yields to the event loop between
    // transactions; one long transaction would finish first.
    const order: string[] = [];
    setImmediate(() => order.push("other work"));
    await store.recordTransitions(changes).then(() => order.push("recorded"));
    expect(order).toEqual(["other work", "recorded"]);
    expect((await store.presence()).size).toBe(n);
    expect(await store.listEvents({ limit: n + 1 })).toHaveLength(n);
  });
});
