import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { agentEventSchema, type AgentEvent } from "@kanade/protocol/wire";
import { tempDir } from "@kanade/testkit";
import type { OsEvent } from "../platform/session-events.js";
import { AgentTimeline, currentBootTime } from "./timeline.js";

const log = pino({ level: "silent" });
const BOOT = new Date("2026-03-01T08:00:00.000Z");

function timeline(stateDir: string, put: AgentEvent[], over: { boot?: Date; now?: Date; sessions?: OsEvent[] } = {}): AgentTimeline {
  return new AgentTimeline({
    pcId: "pc-1",
    stateDir,
    put: (e) => put.push(agentEventSchema.parse(e)),
    log,
    bootTime: () => over.boot ?? BOOT,
    now: () => over.now ?? new Date("2026-03-01T10:00:00.000Z"),
    ...(over.sessions ? { sessionEvents: async () => over.sessions! } : {}),
  });
}

describe("AgentTimeline", () => {
  it("reports the boot once per boot time, and agent_started on every start", () => {
    const dir = tempDir("kanade-timeline-");
    try {
      const put: AgentEvent[] = [];
      timeline(dir.path, put).started("1.0.0");
      // Restarted in the same boot; the uptime clock drifted a few seconds.
      timeline(dir.path, put, { boot: new Date(BOOT.getTime() + 5_000) }).started("1.0.0");
      timeline(dir.path, put, { boot: new Date("2026-03-02T08:00:00.000Z") }).started("1.0.1");
      expect(put.map((e) => e.kind)).toEqual(["os_boot", "agent_started", "agent_started", "os_boot", "agent_started"]);
      expect(put[0]!.at).toBe(BOOT.toISOString());
      expect(put.filter((e) => e.kind === "agent_started").map((e) => e.message)).toEqual(["agent 1.0.0", "agent 1.0.0", "agent 1.0.1"]);
    } finally {
      dir.remove();
    }
  });

  it("sends each session record once, across reads and restarts, with stable ids", async () => {
    const dir = tempDir("kanade-timeline-");
    try {
      const logon: OsEvent = { kind: "user_logon", at: "2026-03-01T09:58:00.000Z", user: "alice", source: "wtmp", key: "logon:alice:pts/0:x" };
      const logoff: OsEvent = { kind: "user_logoff", at: "2026-03-01T10:01:00.000Z", user: "alice", source: "wtmp", key: "logoff:alice:pts/0:x" };
      const put: AgentEvent[] = [];
      await timeline(dir.path, put, { sessions: [logon] }).poll();
      const t2 = timeline(dir.path, put, { sessions: [logon, logoff], now: new Date("2026-03-01T10:02:00.000Z") });
      await t2.poll();
      await t2.poll();
      expect(put.map((e) => [e.kind, e.user])).toEqual([["user_logon", "alice"], ["user_logoff", "alice"]]);
      // A lost state file sends them again with the same ids: the backend stores each once.
      const again: AgentEvent[] = [];
      writeFileSync(join(dir.path, "timeline.json"), "{not json");
      await timeline(dir.path, again, { sessions: [logon, logoff] }).poll();
      expect(again.map((e) => e.event_id)).toEqual(put.map((e) => e.event_id));
    } finally {
      dir.remove();
    }
  });

  it("reads the boot time from /proc/stat's btime", () => {
    const dir = tempDir("kanade-timeline-");
    try {
      writeFileSync(join(dir.path, "stat"), "cpu  1 2 3\nbtime 1772352000\nprocesses 5\n");
      expect(currentBootTime(join(dir.path, "stat")).toISOString()).toBe("2026-03-01T08:00:00.000Z");
    } finally {
      dir.remove();
    }
  });
});
