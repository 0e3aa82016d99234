import { describe, expect, it } from "vitest";
import type { AgentSummary } from "@kanade/protocol";
import { EMPTY_FILTER, facets, filterAgents, nextSort, searchFromView, sortAgents, viewFromSearch, visibleRows } from "./agent-filter.js";

const agent = (pc_id: string, more: Partial<AgentSummary> = {}): AgentSummary => ({
  pc_id,
  online: true,
  hostname: `${pc_id}.corp`,
  os_family: "windows",
  os_version: "11",
  agent_version: "1.0.0",
  groups: [],
  last_seen: null,
  ...more,
});

const fleet = [
  agent("pc-001", { groups: ["tokyo"] }),
  agent("pc-002", { groups: ["osaka"], online: false }),
  agent("lab-1", { os_family: "linux", os_version: "debian 13", agent_version: "1.1.0", hostname: "BUILD-BOX" }),
];

describe("filterAgents", () => {
  it("keeps everything with the empty filter", () => {
    expect(filterAgents(fleet, EMPTY_FILTER)).toHaveLength(3);
  });
  it("searches pc_id and hostname case-insensitively", () => {
    expect(filterAgents(fleet, { ...EMPTY_FILTER, text: "build" }).map((a) => a.pc_id)).toEqual(["lab-1"]);
    expect(filterAgents(fleet, { ...EMPTY_FILTER, text: "PC-00" })).toHaveLength(2);
  });
  it("searches groups, the logged-on user and addresses too", () => {
    const more = [...fleet, agent("pc-003", { groups: ["canary"], logged_in_user: "CORP\\hanako", ip_addresses: ["10.0.0.7"] })];
    expect(filterAgents(more, { ...EMPTY_FILTER, text: "osaka" }).map((a) => a.pc_id)).toEqual(["pc-002"]);
    expect(filterAgents(more, { ...EMPTY_FILTER, text: "hanako" }).map((a) => a.pc_id)).toEqual(["pc-003"]);
    expect(filterAgents(more, { ...EMPTY_FILTER, text: "10.0.0.7" }).map((a) => a.pc_id)).toEqual(["pc-003"]);
  });
  it("combines group, OS, version and online filters", () => {
    expect(filterAgents(fleet, { ...EMPTY_FILTER, group: "tokyo" }).map((a) => a.pc_id)).toEqual(["pc-001"]);
    expect(filterAgents(fleet, { ...EMPTY_FILTER, os: "linux debian 13" }).map((a) => a.pc_id)).toEqual(["lab-1"]);
    expect(filterAgents(fleet, { ...EMPTY_FILTER, version: "1.0.0", online: "offline" }).map((a) => a.pc_id)).toEqual(["pc-002"]);
  });
  it("lists the distinct filter values", () => {
    expect(facets(fleet)).toEqual({ groups: ["osaka", "tokyo"], tags: [], os: ["linux debian 13", "windows 11"], versions: ["1.0.0", "1.1.0"] });
  });
  it("filters, searches, sorts and lists facets by tag (key=value), and keeps the tag filter in the URL", () => {
    const tagged = [agent("t-1", { tags: { site: "osaka", owner: "it" } }), agent("t-2", { tags: { site: "tokyo" } }), agent("t-3")];
    expect(filterAgents(tagged, { ...EMPTY_FILTER, tag: "site=osaka" }).map((a) => a.pc_id)).toEqual(["t-1"]);
    expect(filterAgents(tagged, { ...EMPTY_FILTER, text: "owner=it" }).map((a) => a.pc_id)).toEqual(["t-1"]);
    expect(facets(tagged).tags).toEqual(["owner=it", "site=osaka", "site=tokyo"]);
    expect(sortAgents(tagged, { key: "tags", dir: "asc" }).map((a) => a.pc_id)).toEqual(["t-1", "t-2", "t-3"]);
    const url = searchFromView({ ...EMPTY_FILTER, tag: "site=osaka" }, { key: "pc", dir: "asc" });
    expect(url).toBe("?tag=site%3Dosaka");
    expect(viewFromSearch(new URLSearchParams(url)).filter.tag).toBe("site=osaka");
  });
});

describe("sorting", () => {
  const load = [
    agent("a", { cpu_pct: 10 }),
    agent("b", { cpu_pct: 90 }),
    agent("c", { cpu_pct: 99, online: false }),
    agent("d", { cpu_pct: null }),
  ];
  it("sorts by a column, unknown and offline load last either way", () => {
    expect(sortAgents(load, { key: "cpu", dir: "desc" }).map((a) => a.pc_id)).toEqual(["b", "a", "c", "d"]);
    expect(sortAgents(load, { key: "cpu", dir: "asc" }).map((a) => a.pc_id)).toEqual(["a", "b", "c", "d"]);
    expect(sortAgents(fleet, { key: "pc", dir: "desc" }).map((a) => a.pc_id)).toEqual(["pc-002", "pc-001", "lab-1"]);
  });
  it("flips the direction on a second click; load starts highest first", () => {
    expect(nextSort({ key: "pc", dir: "asc" }, "pc")).toEqual({ key: "pc", dir: "desc" });
    expect(nextSort({ key: "pc", dir: "asc" }, "cpu")).toEqual({ key: "cpu", dir: "desc" });
    expect(nextSort({ key: "cpu", dir: "desc" }, "host")).toEqual({ key: "host", dir: "asc" });
  });
});

describe("the URL", () => {
  it("holds every filter and the sort, and only what differs from the defaults", () => {
    const view = { filter: { ...EMPTY_FILTER, text: "tokyo desk", online: "offline" as const, group: "lab" }, sort: { key: "cpu" as const, dir: "desc" as const } };
    const qs = searchFromView(view.filter, view.sort);
    expect(qs).toBe("?q=tokyo+desk&group=lab&online=offline&sort=cpu-desc");
    expect(viewFromSearch(new URLSearchParams(qs))).toEqual(view);
    expect(searchFromView(EMPTY_FILTER, { key: "pc", dir: "asc" })).toBe("");
    expect(viewFromSearch(new URLSearchParams("online=maybe&sort=nope-up"))).toEqual({ filter: EMPTY_FILTER, sort: { key: "pc", dir: "asc" } });
  });
});

describe("selection", () => {
  it("never hides: selected PCs outside the filter stay in view, first", () => {
    const shown = filterAgents(fleet, { ...EMPTY_FILTER, group: "tokyo" });
    const v = visibleRows(fleet, shown, new Set(["pc-002", "pc-001"]), false);
    expect(v.rows.map((a) => a.pc_id)).toEqual(["pc-002", "pc-001"]);
    expect([...v.pinned]).toEqual(["pc-002"]);
    expect(visibleRows(fleet, shown, new Set(["lab-1"]), true).rows.map((a) => a.pc_id)).toEqual(["lab-1"]);
  });
});
