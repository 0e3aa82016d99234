import { describe, expect, it } from "vitest";
import type { AgentSummary } from "@kanade/protocol";
import { EMPTY_FILTER, facets, filterAgents } from "./agent-filter.js";

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
  it("combines group, OS, version and online filters", () => {
    expect(filterAgents(fleet, { ...EMPTY_FILTER, group: "tokyo" }).map((a) => a.pc_id)).toEqual(["pc-001"]);
    expect(filterAgents(fleet, { ...EMPTY_FILTER, os: "linux debian 13" }).map((a) => a.pc_id)).toEqual(["lab-1"]);
    expect(filterAgents(fleet, { ...EMPTY_FILTER, version: "1.0.0", online: "offline" }).map((a) => a.pc_id)).toEqual(["pc-002"]);
  });
  it("lists the distinct filter values", () => {
    expect(facets(fleet)).toEqual({ groups: ["osaka", "tokyo"], os: ["linux debian 13", "windows 11"], versions: ["1.0.0", "1.1.0"] });
  });
});
