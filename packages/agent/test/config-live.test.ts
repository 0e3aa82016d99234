import { Kvm } from "@nats-io/kv";
import { BUCKETS, configKeys, heartbeatSchema, subjects, type Heartbeat } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { describe, expect, it } from "vitest";
import { EffectiveConfigView } from "../src/effective-config.js";
import { quietLog, runAgent, useEnv } from "./fleet-env.js";

const env = useEnv();

describe("layered config on a running agent", () => {
  it("applies a heartbeat_interval set in agent_config without a restart, and follows group scopes", async () => {
    const { nc } = env();
    const kvm = new Kvm(nc);
    const config = await kvm.create(BUCKETS.agentConfig);
    const beats: Heartbeat[] = [];
    const sub = nc.subscribe(subjects.heartbeat("cfg-pc"), {
      callback: (_err, msg) => {
        beats.push(heartbeatSchema.parse(msg.json()));
      },
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

  it("never shows listeners a half-read state: a group's target_version is seen, not the global one it overrides", async () => {
    const { nc } = env();
    const config = await new Kvm(nc).create(BUCKETS.agentConfig);
    await config.put(configKeys.global(), JSON.stringify({ target_version: "1.0.0" }));
    await config.put(configKeys.group("canary"), JSON.stringify({ target_version: "2.0.0" }));
    const seen: (string | undefined)[] = [];
    const view = new EffectiveConfigView({ nc, pcId: "half-pc", log: quietLog, groups: () => ["canary"] });
    view.subscribe((cfg) => seen.push(cfg.effective.target_version));
    view.start();
    try {
      expect(await view.ready(10_000)).toBe(true);
      await waitFor(() => seen.length > 0, { what: "the first notification" });
      expect(seen).toEqual(["2.0.0"]);
      expect(view.current().sources.target_version).toBe("groups.canary");
    } finally {
      view.stop();
    }
  });
});
