import { hostname, release } from "node:os";
import { describe, expect, it } from "vitest";
import { heartbeatSchema } from "@kanade/protocol/wire";
import { buildHeartbeat, readHostFacts } from "./heartbeat.js";

const base = { pcId: "hb-pc", groups: ["lab"], intervalMs: 30_000, cpuPct: 1.5, now: new Date("2026-12-03T10:00:00.000Z") };

describe("buildHeartbeat", () => {
  it("reads the host from the OS when given no facts", () => {
    const hb = heartbeatSchema.parse(buildHeartbeat(base));
    expect([hb.hostname, hb.os_version]).toEqual([hostname(), release()]);
    expect(Date.parse(hb.boot_time ?? "")).toBeLessThan(base.now.getTime());
    expect(hb.agent_rss_bytes).toBeGreaterThan(0);
  });

  it("reports the facts it is given (one read shared by a simulator's PCs)", () => {
    const host = { hostname: "sim-host", osVersion: "10.0.19045", bootTime: "2026-12-01T08:00:00.000Z", rssBytes: 123_456 };
    const hb = heartbeatSchema.parse(buildHeartbeat({ ...base, host }));
    expect(hb).toMatchObject({ pc_id: "hb-pc", hostname: "sim-host", os_version: "10.0.19045", boot_time: "2026-12-01T08:00:00.000Z", agent_rss_bytes: 123_456, groups: ["lab"], heartbeat_interval_secs: 30 });
  });

  it("readHostFacts gives a boot time in the past", () => {
    const now = new Date();
    expect(Date.parse(readHostFacts(now).bootTime)).toBeLessThanOrEqual(now.getTime());
  });
});
