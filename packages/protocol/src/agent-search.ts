/** What "search agents" means, shared by the backend's `listAgents?q=` and the web UI's agents table. */
import type { AgentSummary } from "./api.js";

/** The OS as one label: `windows 11`, `linux debian 13`. */
export const agentOsLabel = (a: Pick<AgentSummary, "os_family" | "os_version">): string => [a.os_family, a.os_version].filter(Boolean).join(" ");

/**
 * True when every word of `text` (case-insensitive) is found in the agent's pc_id, host name, OS, agent
 * version, groups, logged-on user or IP addresses. Empty text matches everything.
 */
export function agentMatches(a: AgentSummary, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [a.pc_id, a.hostname, agentOsLabel(a), a.agent_version, ...a.groups, ...Object.entries(a.tags ?? {}).map(([k, v]) => `${k}=${v}`), a.logged_in_user, ...(a.ip_addresses ?? [])]
    .filter((x): x is string => typeof x === "string" && x !== "")
    .join("\n")
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}
