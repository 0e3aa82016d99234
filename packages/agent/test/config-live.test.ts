import { Kvm } from "@nats-io/kv";
import { BUCKETS, configKeys, heartbeatSchema, subjects, type Heartbeat } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { describe, expect, it } from "vitest";
import { runAgent, useEnv } from "./fleet-env.js";

const env = useEnv();

describe("layered config on a running agent", () => {
  it("applies a heartbeat_interval set in agent_config without a restart, and follows group scopes", async () => {
    const { nc } = env();
    const kvm = new Kvm(nc);
    const config = await kvm.create(BUCKETS.agentConfig);
    const beats: Heartbeat[] = [];
    const sub = nc.subscribe(subjects.heartbeat("cfg-pc"), {
      callback: (_err, msg) => void beats.push(heartbeatSchema.parse(msg.json())),
    });
    const agent = await runAgent(env(), "cfg-pc");
    try {
      await waitFor(() => beats.length >= 1, { what: "first heartbeat" });
      expect(beats[0]?.heartbeat_interval_secs).toBe(30);

      // A group scope applies once the PC joins the group.
      await config.put(configKeys.group("fast"), JSON.stringify({ heartbeat_interval: "1s" }));
      await env().kv.groups.put("cfg-pc", JSON.stringify({ groups: ["fast"] }));
      await waitFor(() => beats.some((b) => b.heartbeat_interval_secs === 1), { what: "a heartbeat at the 1s interval" });
      const from = beats.length;
      // With a 30 s interval no further heartbeat would come within the wait below.
      await waitFor(() => beats.length >= from + 3, { what: "three more heartbeats at 1s", timeoutMs: 10_000 });

      // The PC scope beats the group; an invalid scope is ignored rather than applied.
      await config.put(configKeys.pc("cfg-pc"), JSON.stringify({ heartbeat_interval: "banana" }));
      await config.put(configKeys.pc("cfg-pc"), JSON.stringify({ heartbeat_interval: "2s" }));
      await waitFor(() => beats.at(-1)?.heartbeat_interval_secs === 2, { what: "the PC scope's 2s interval" });
    } finally {
      sub.unsubscribe();
      await agent.stop();
    }
  });
});
