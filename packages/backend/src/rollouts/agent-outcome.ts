/**
 * How an agent-update wave went, judged from the agents table (heartbeats): a PC succeeded once it reports the
 * target version; it failed when it rolled the version back (the version is quarantined on it) or, heard from
 * after the deadline, still reports another version; while it is silent (offline) it is pending.
 */
import type { AgentRecord } from "../agents/store.js";
import type { WaveRecord } from "./store.js";

export type AgentUpdateOutcome = "succeeded" | "failed" | "pending";

export function agentUpdateOutcome(
  a: Pick<AgentRecord, "agent_version" | "quarantined_versions" | "last_seen"> | undefined,
  version: string,
  deadlineAtMs: number,
): AgentUpdateOutcome {
  if (!a) return "pending";
  if (a.quarantined_versions.includes(version)) return "failed";
  if (a.agent_version === version) return "succeeded";
  return Date.parse(a.last_seen) >= deadlineAtMs ? "failed" : "pending";
}

/** Answered (succeeded or failed) and failed PCs over the sent waves. */
export function agentWavesOutcome(
  waves: readonly WaveRecord[],
  agents: ReadonlyMap<string, Pick<AgentRecord, "agent_version" | "quarantined_versions" | "last_seen">>,
  version: string,
  deadlineMs: number,
): { answered: number; failed: number } {
  let answered = 0;
  let failed = 0;
  for (const w of waves) {
    const deadlineAt = Date.parse(w.sent_at ?? "") + deadlineMs;
    for (const pc of w.pcs) {
      const o = agentUpdateOutcome(agents.get(pc), version, deadlineAt);
      if (o !== "pending") answered++;
      if (o === "failed") failed++;
    }
  }
  return { answered, failed };
}
