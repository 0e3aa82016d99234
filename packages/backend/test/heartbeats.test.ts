/** Heartbeats → agents: last_seen is the backend's receive time, whatever the agent's clock says. */
import { describe, expect, it } from "vitest";
import { subjects, type AgentSummary, type Heartbeat } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { useBackendEnv } from "./helpers.js";

const DAY_MS = 86_400_000;

describe("heartbeat projection", () => {
  const env = useBackendEnv();

  const hb = (pc: string, at: Date, agentVersion: string): Heartbeat => ({
    pc_id: pc,
    at: at.toISOString(),
    agent_version: agentVersion,
    hostname: `${pc}.lan`,
    os_family: "windows",
    os_version: "10.0.19045",
    boot_time: null,
    agent_rss_bytes: 1000,
    agent_cpu_pct: 0.5,
    groups: [],
    heartbeat_interval_secs: 30,
  });
  const agent = async (pc: string): Promise<AgentSummary | undefined> => {
    const r = await env().backend.api("GET", `/api/agents/${pc}`);
    return r.status === 200 ? (r.body as AgentSummary) : undefined;
  };
  const nearNow = (iso: string | null): boolean => iso !== null && Math.abs(Date.parse(iso) - Date.now()) < 60_000;


  it("a heartbeat stamped a day ahead does not freeze the agent's record", async () => {
    env().nc.publish(subjects.heartbeat("hb-future"), JSON.stringify(hb("hb-future", new Date(Date.now() + DAY_MS), "1.0.0")));
    const first = await waitFor(() => agent("hb-future"), { what: "the agent record" });
    expect(nearNow(first.last_seen)).toBe(true);

    env().nc.publish(subjects.heartbeat("hb-future"), JSON.stringify(hb("hb-future", new Date(), "1.0.1")));
    const later = await waitFor(async () => {
      const a = await agent("hb-future");
      return a?.agent_version === "1.0.1" ? a : undefined;
    }, { what: "the later agent_version" });
    expect(nearNow(later.last_seen)).toBe(true);
    expect(later.online).toBe(true);
  });

  it("a PC whose clock lags by a day is online", async () => {
    env().nc.publish(subjects.heartbeat("hb-slow"), JSON.stringify(hb("hb-slow", new Date(Date.now() - DAY_MS), "1.0.0")));
    const a = await waitFor(() => agent("hb-slow"), { what: "the agent record" });
    expect(nearNow(a.last_seen)).toBe(true);
    expect(a.online).toBe(true);
  });

  it("keeps the kanade-client version a heartbeat reported until a newer one comes", async () => {
    env().nc.publish(subjects.heartbeat("hb-client"), JSON.stringify(hb("hb-client", new Date(), "1.0.0")));
    expect((await waitFor(() => agent("hb-client"), { what: "the agent record" })).client_version).toBeNull();
    env().nc.publish(subjects.heartbeat("hb-client"), JSON.stringify({ ...hb("hb-client", new Date(), "1.0.0"), client_version: "0.3.0" }));
    await waitFor(async () => ((await agent("hb-client"))?.client_version === "0.3.0" ? true : undefined), { what: "client_version 0.3.0" });
    // A restarted agent that has not seen the client yet sends none: the last known version stays.
    env().nc.publish(subjects.heartbeat("hb-client"), JSON.stringify(hb("hb-client", new Date(), "1.0.1")));
    const after = await waitFor(async () => {
      const a = await agent("hb-client");
      return a?.agent_version === "1.0.1" ? a : undefined;
    }, { what: "the next heartbeat" });
    expect(after.client_version).toBe("0.3.0");
  });
});
