/** Client-side search and filters for the agents table (the backend returns the whole fleet in one list). */
import type { AgentSummary } from "@kanade/protocol";

export interface AgentFilter {
  /** Matches pc_id or hostname, case-insensitively. */
  text: string;
  group: string;
  os: string;
  version: string;
  online: "all" | "online" | "offline";
}

export const EMPTY_FILTER: AgentFilter = { text: "", group: "", os: "", version: "", online: "all" };

export const osLabel = (a: AgentSummary): string => [a.os_family, a.os_version].filter(Boolean).join(" ");

export function filterAgents(agents: readonly AgentSummary[], f: AgentFilter): AgentSummary[] {
  const text = f.text.trim().toLowerCase();
  return agents.filter(
    (a) =>
      (!text || a.pc_id.toLowerCase().includes(text) || (a.hostname ?? "").toLowerCase().includes(text)) &&
      (!f.group || a.groups.includes(f.group)) &&
      (!f.os || osLabel(a) === f.os) &&
      (!f.version || a.agent_version === f.version) &&
      (f.online === "all" || a.online === (f.online === "online")),
  );
}

/** The distinct values each filter can take, sorted, for the drop-downs. */
export function facets(agents: readonly AgentSummary[]): { groups: string[]; os: string[]; versions: string[] } {
  const groups = new Set<string>();
  const os = new Set<string>();
  const versions = new Set<string>();
  for (const a of agents) {
    for (const g of a.groups) groups.add(g);
    const label = osLabel(a);
    if (label) os.add(label);
    if (a.agent_version) versions.add(a.agent_version);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort((x, y) => x.localeCompare(y));
  return { groups: sorted(groups), os: sorted(os), versions: sorted(versions) };
}
