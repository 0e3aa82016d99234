import { describe, expect, it } from "vitest";
import { agentUpdateOutcome, agentWavesOutcome } from "./agent-outcome.js";

const SENT = "2026-01-01T10:00:00.000Z";
const DEADLINE_MS = 10 * 60_000;
const deadlineAt = Date.parse(SENT) + DEADLINE_MS;
const agent = (agent_version: string, last_seen: string, quarantined_versions: string[] = []) => ({ agent_version, last_seen, quarantined_versions });

describe("agent-update outcome of one PC", () => {
  it("succeeded once it reports the target version", () => {
    expect(agentUpdateOutcome(agent("2.0.0", "2026-01-01T10:01:00Z"), "2.0.0", deadlineAt)).toBe("succeeded");
  });
  it("failed as soon as it rolled the version back (quarantined it)", () => {
    expect(agentUpdateOutcome(agent("1.0.0", "2026-01-01T10:01:00Z", ["2.0.0"]), "2.0.0", deadlineAt)).toBe("failed");
  });
  it("pending on another version before the deadline, failed when heard from after it", () => {
    expect(agentUpdateOutcome(agent("1.0.0", "2026-01-01T10:09:59Z"), "2.0.0", deadlineAt)).toBe("pending");
    expect(agentUpdateOutcome(agent("1.0.0", "2026-01-01T10:10:00Z"), "2.0.0", deadlineAt)).toBe("failed");
  });
  it("pending while offline (not heard from since before the deadline) or unknown", () => {
    expect(agentUpdateOutcome(agent("1.0.0", "2026-01-01T09:00:00Z"), "2.0.0", deadlineAt)).toBe("pending");
    expect(agentUpdateOutcome(undefined, "2.0.0", deadlineAt)).toBe("pending");
  });
});

describe("agent-update outcome of the sent waves", () => {
  it("counts answered and failed PCs, each against its own wave's deadline", () => {
    const waves = [
      { idx: 0, exec_id: null, sent_at: SENT, pcs: ["a", "b", "c"] },
      { idx: 1, exec_id: null, sent_at: "2026-01-01T10:30:00.000Z", pcs: ["d"] },
    ];
    const agents = new Map([
      ["a", agent("2.0.0", "2026-01-01T10:35:00Z")],
      ["b", agent("1.0.0", "2026-01-01T10:35:00Z")],
      ["c", agent("1.0.0", "2026-01-01T09:00:00Z")],
      ["d", agent("1.0.0", "2026-01-01T10:35:00Z")],
    ]);
    expect(agentWavesOutcome(waves, agents, "2.0.0", DEADLINE_MS)).toEqual({ answered: 2, failed: 1 });
  });
});
