/**
 * The agents table's search, filters, sort and selection, kept out of React. Filters and sort live in the URL
 * (`/agents?q=tokyo&online=offline&sort=cpu-desc`) so a view can be shared and survives a reload; text search
 * means what `GET /api/agents?q=` means (`agentMatches` in the protocol).
 */
import { agentMatches, agentOsLabel, type AgentSummary } from "@kanade/protocol";

export interface AgentFilter {
  /** Every word is found in the pc_id, host, OS, version, groups, logged-on user or addresses. */
  text: string;
  group: string;
  /** `key=value`: only PCs with that tag. */
  tag: string;
  os: string;
  version: string;
  online: "all" | "online" | "offline";
}

export const EMPTY_FILTER: AgentFilter = { text: "", group: "", tag: "", os: "", version: "", online: "all" };

export const SORT_KEYS = ["pc", "status", "cpu", "mem", "ip", "user", "host", "os", "version", "groups", "tags", "lastSeen"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface AgentSort {
  key: SortKey;
  dir: "asc" | "desc";
}
export const DEFAULT_SORT: AgentSort = { key: "pc", dir: "asc" };

export const osLabel = agentOsLabel;

/** A PC's tags as `k=v` labels, sorted by key. */
export const tagLabels = (a: AgentSummary): string[] =>
  Object.entries(a.tags ?? {})
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, v]) => `${k}=${v}`);

export function filterAgents(agents: readonly AgentSummary[], f: AgentFilter): AgentSummary[] {
  return agents.filter(
    (a) =>
      agentMatches(a, f.text) &&
      (!f.group || a.groups.includes(f.group)) &&
      (!f.tag || tagLabels(a).includes(f.tag)) &&
      (!f.os || osLabel(a) === f.os) &&
      (!f.version || a.agent_version === f.version) &&
      (f.online === "all" || a.online === (f.online === "online")),
  );
}

/** Memory in use as a percentage of the host's memory; null when unknown. */
export const memPct = (a: AgentSummary): number | null =>
  a.mem_used_bytes !== null && a.mem_used_bytes !== undefined && a.mem_total_bytes ? (a.mem_used_bytes / a.mem_total_bytes) * 100 : null;

/** An offline PC's last perf sample is history: it sorts and shows as unknown load. */
export const liveCpu = (a: AgentSummary): number | null => (a.online ? (a.cpu_pct ?? null) : null);
export const liveMem = (a: AgentSummary): number | null => (a.online ? memPct(a) : null);

type SortValue = string | number | null;
const SORT_VALUE: Record<SortKey, (a: AgentSummary) => SortValue> = {
  pc: (a) => a.pc_id,
  status: (a) => (a.online ? 1 : 0),
  cpu: liveCpu,
  mem: liveMem,
  ip: (a) => a.ip_addresses?.[0] ?? null,
  user: (a) => a.logged_in_user ?? null,
  host: (a) => a.hostname,
  os: (a) => osLabel(a) || null,
  version: (a) => a.agent_version,
  groups: (a) => (a.groups.length ? a.groups.join(",") : null),
  tags: (a) => tagLabels(a).join(",") || null,
  lastSeen: (a) => (a.last_seen ? Date.parse(a.last_seen) : null),
};

const compare = (x: SortValue, y: SortValue): number =>
  typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });

/** Sorted by one column; unknown values (no sample, offline load) go last either way; ties by pc_id. */
export function sortAgents(agents: readonly AgentSummary[], sort: AgentSort): AgentSummary[] {
  const value = SORT_VALUE[sort.key];
  const sign = sort.dir === "asc" ? 1 : -1;
  return [...agents].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? a.pc_id.localeCompare(b.pc_id) : x === null ? 1 : -1;
    return sign * compare(x, y) || a.pc_id.localeCompare(b.pc_id);
  });
}

/** Clicking a header: sort by it ascending (load and last seen: descending first), or flip the direction. */
export function nextSort(current: AgentSort, key: SortKey): AgentSort {
  if (current.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  return { key, dir: key === "cpu" || key === "mem" || key === "lastSeen" ? "desc" : "asc" };
}

/** The filters and sort a URL describes; anything unknown reads as its default. */
export function viewFromSearch(search: URLSearchParams): { filter: AgentFilter; sort: AgentSort } {
  const online = search.get("online");
  const [key, dir] = (search.get("sort") ?? "").split("-");
  return {
    filter: {
      text: search.get("q") ?? "",
      group: search.get("group") ?? "",
      tag: search.get("tag") ?? "",
      os: search.get("os") ?? "",
      version: search.get("version") ?? "",
      online: online === "online" || online === "offline" ? online : "all",
    },
    sort: (SORT_KEYS as readonly string[]).includes(key ?? "") && (dir === "asc" || dir === "desc") ? { key: key as SortKey, dir } : DEFAULT_SORT,
  };
}

/** The query string for a view: only what differs from the defaults, so the plain page stays `/agents`. */
export function searchFromView(filter: AgentFilter, sort: AgentSort): string {
  const p = new URLSearchParams();
  if (filter.text) p.set("q", filter.text);
  if (filter.group) p.set("group", filter.group);
  if (filter.tag) p.set("tag", filter.tag);
  if (filter.os) p.set("os", filter.os);
  if (filter.version) p.set("version", filter.version);
  if (filter.online !== "all") p.set("online", filter.online);
  if (sort.key !== DEFAULT_SORT.key || sort.dir !== DEFAULT_SORT.dir) p.set("sort", `${sort.key}-${sort.dir}`);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/**
 * The rows to show: the filtered ones, and first, every selected PC the filter would hide — a selection never
 * hides, so "Run job on selected" only ever runs on PCs the operator can see. `onlySelected` shows just those.
 */
export function visibleRows(
  all: readonly AgentSummary[],
  shown: readonly AgentSummary[],
  selected: ReadonlySet<string>,
  onlySelected: boolean,
): { rows: AgentSummary[]; pinned: ReadonlySet<string> } {
  if (onlySelected) return { rows: all.filter((a) => selected.has(a.pc_id)), pinned: new Set() };
  const inView = new Set(shown.map((a) => a.pc_id));
  const outside = all.filter((a) => selected.has(a.pc_id) && !inView.has(a.pc_id));
  return { rows: [...outside, ...shown], pinned: new Set(outside.map((a) => a.pc_id)) };
}

/** The distinct values each filter can take, sorted, for the drop-downs. */
export function facets(agents: readonly AgentSummary[]): { groups: string[]; tags: string[]; os: string[]; versions: string[] } {
  const groups = new Set<string>();
  const tags = new Set<string>();
  const os = new Set<string>();
  const versions = new Set<string>();
  for (const a of agents) {
    for (const g of a.groups) groups.add(g);
    for (const t of tagLabels(a)) tags.add(t);
    const label = osLabel(a);
    if (label) os.add(label);
    if (a.agent_version) versions.add(a.agent_version);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort((x, y) => x.localeCompare(y));
  return { groups: sorted(groups), tags: sorted(tags), os: sorted(os), versions: sorted(versions) };
}
