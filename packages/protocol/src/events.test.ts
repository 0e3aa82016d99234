import { describe, expect, it } from "vitest";
import { agentEventSchema, EVENT_KINDS, scriptEventLineSchema, timelineEventSchema } from "./events.js";
import { subjects } from "./subjects.js";

const base = { event_id: "0123456789abcdef0123456789abcdef", pc_id: "pc-1", kind: "user_logon", at: "2026-03-01T10:00:00.000Z", user: "alice", source: "wtmp" };

describe("timeline events", () => {
  it("publishes under events.pc.<pc_id>.<kind>, inside the EVENTS stream's events.>", () => {
    expect(subjects.pcEvent("pc-1", "agent_started")).toBe("events.pc.pc-1.agent_started");
    expect(subjects.pcEventsAll()).toBe("events.pc.>");
  });

  it("accepts an agent's event and refuses the kinds only the backend records", () => {
    expect(agentEventSchema.parse(base)).toEqual(base);
    expect(agentEventSchema.safeParse({ ...base, kind: "agent_offline" }).success).toBe(false);
    expect(timelineEventSchema.safeParse({ ...base, kind: "agent_offline", received_at: base.at }).success).toBe(true);
    expect(EVENT_KINDS).toContain("agent_online");
  });

  it("names the bad field", () => {
    const r = agentEventSchema.safeParse({ ...base, event_id: "X", at: "yesterday", extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => (i.code === "unrecognized_keys" ? i.keys.join() : i.path.join(".")));
    expect(paths).toEqual(expect.arrayContaining(["event_id", "at", "extra"]));
  });

  it("limits what a script may write: a name, a message, small data, nothing else", () => {
    expect(scriptEventLineSchema.parse({ name: "backup.done", message: "ok", data: { gb: 3 } })).toEqual({ name: "backup.done", message: "ok", data: { gb: 3 } });
    expect(scriptEventLineSchema.safeParse({ name: "x", data: { big: "y".repeat(5000) } }).success).toBe(false);
    expect(scriptEventLineSchema.safeParse({ name: "x", kind: "os_boot" }).success).toBe(false);
    expect(scriptEventLineSchema.safeParse({ name: "" }).success).toBe(false);
  });
});
