import { describe, expect, it } from "vitest";
import type { AgentSummary } from "./api.js";
import { agentMatches, agentOsLabel } from "./agent-search.js";

const a: AgentSummary = {
  pc_id: "pc-0042",
  online: true,
  hostname: "TOKYO-DESK-42",
  os_family: "windows",
  os_version: "11",
  agent_version: "1.2.0",
  groups: ["tokyo", "canary"],
  last_seen: null,
  logged_in_user: "CORP\\hanako",
  ip_addresses: ["10.1.2.42"],
};

describe("agentMatches", () => {
  it("finds text in the id, host, groups, user and addresses, case-insensitively", () => {
    for (const q of ["0042", "tokyo-desk", "CANARY", "hanako", "10.1.2.42", "windows 11"]) expect(agentMatches(a, q), q).toBe(true);
    expect(agentMatches(a, "osaka")).toBe(false);
  });
  it("needs every word to match somewhere", () => {
    expect(agentMatches(a, "canary hanako")).toBe(true);
    expect(agentMatches(a, "canary osaka")).toBe(false);
    expect(agentMatches(a, "  ")).toBe(true);
  });
  it("labels the OS", () => {
    expect(agentOsLabel(a)).toBe("windows 11");
    expect(agentOsLabel({ os_family: null, os_version: null })).toBe("");
  });
});
