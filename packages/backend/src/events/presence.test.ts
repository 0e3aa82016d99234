import { describe, expect, it } from "vitest";
import { presenceChanges } from "./presence.js";
import type { PresenceRecord } from "./store.js";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const at = (s: number): Date => new Date(T0 + s * 1000);
const agent = (pc: string, lastSeenSecs: number) => ({ pc_id: pc, last_seen: at(lastSeenSecs).toISOString(), heartbeat_interval_secs: 10 });
const rec = (pc: string, online: boolean): Map<string, PresenceRecord> => new Map([[pc, { pc_id: pc, online, changed_at: at(-100).toISOString() }]]);
const STARTED = at(-3600);

describe("presenceChanges", () => {
  it("records a PC's first appearance online, and nothing for one first seen offline", () => {
    const c = presenceChanges([agent("a", 0), agent("b", -100)], new Map(), at(1), STARTED);
    expect(c.map((x) => [x.presence.pc_id, x.presence.online, x.event?.kind])).toEqual([["a", true, "agent_online"], ["b", false, undefined]]);
  });

  it("records offline once, dated when the heartbeat window ran out, with an id the same on every try", () => {
    const first = presenceChanges([agent("a", 0)], rec("a", true), at(31), STARTED);
    const retried = presenceChanges([agent("a", 0)], rec("a", true), at(45), STARTED);
    expect(first[0]!.event).toMatchObject({ kind: "agent_offline", at: at(30).toISOString() });
    expect(first[0]!.event!.event_id).toBe(retried[0]!.event!.event_id);
    // Recorded: nothing more while it stays offline.
    expect(presenceChanges([agent("a", 0)], rec("a", false), at(300), STARTED)).toEqual([]);
  });

  it("records online again when heartbeats come back", () => {
    const c = presenceChanges([agent("a", 299)], rec("a", false), at(300), STARTED);
    expect(c.map((x) => x.event?.kind)).toEqual(["agent_online"]);
  });

  it("judges no PC offline during the first heartbeat window after the backend started", () => {
    // Its last heartbeat is old only because the backend was down; the backend has listened for 10 s.
    expect(presenceChanges([agent("a", -600)], rec("a", true), at(10), at(0))).toEqual([]);
    expect(presenceChanges([agent("a", -600)], rec("a", true), at(31), at(0)).map((x) => x.event?.kind)).toEqual(["agent_offline"]);
  });
});
