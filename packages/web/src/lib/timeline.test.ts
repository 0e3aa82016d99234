import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "@kanade/protocol";
import { eventSummary, mergeTimeline } from "./timeline.js";

const ev = (id: string, at: string, extra: Partial<TimelineEvent> = {}): TimelineEvent => ({ event_id: id.padEnd(16, "0"), pc_id: "pc-1", kind: "agent_started", at, received_at: at, ...extra });

describe("mergeTimeline", () => {
  it("merges runs and events newest first and keeps the newest `limit`", () => {
    const out = mergeTimeline(
      [ev("a", "2026-01-01T10:00:00.000Z"), ev("b", "2026-01-01T12:00:00.000Z")],
      [{ result_id: "r", job_id: "j", status: "succeeded", finished_at: "2026-01-01T11:00:00.000Z" }],
      2,
    );
    expect(out.map((e) => (e.type === "run" ? e.run.result_id : e.event.event_id[0]))).toEqual(["b", "r"]);
  });
  it("summarises user, script name, message and data", () => {
    expect(eventSummary(ev("c", "2026-01-01T10:00:00.000Z", { kind: "script", name: "backup.done", message: "ok", data: { gb: 3 } }))).toBe('backup.done · ok · {"gb":3}');
  });
});
