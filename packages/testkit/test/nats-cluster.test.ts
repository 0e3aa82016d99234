import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterAll, describe, expect, it } from "vitest";
import { startNatsCluster, waitFor, type NatsCluster } from "../src/index.js";

describe("startNatsCluster", () => {
  let cluster: NatsCluster | undefined;
  afterAll(async () => cluster?.dispose());

  it("runs three JetStream nodes with a meta leader; a stopped node comes back and catches up on an R3 stream", async () => {
    cluster = await startNatsCluster();
    expect(cluster.nodes.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
    expect(cluster.urls).toHaveLength(3);
    for (const u of cluster.urls) expect(u).not.toMatch(/:4222$/);
    expect(cluster.nodes.map((n) => n.name)).toContain(await cluster.metaLeader());

    const nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 5_000 });
      await jsm.streams.add({ name: "T", subjects: ["t.>"], num_replicas: 3 });
      const js = jetstream(nc, { timeout: 5_000 });
      await js.publish("t.a", "one");
      const leader = (await jsm.streams.info("T")).cluster?.leader;
      expect(leader).toBeDefined();

      // Stop the stream leader: the other two elect a new one and keep taking writes.
      const stopped = cluster.node(leader!);
      await stopped.server.stop();
      expect(stopped.running()).toBe(false);
      await cluster.waitForMetaLeader();
      await waitFor(() => js.publish("t.b", "two").then(() => true), { timeoutMs: 30_000, what: "a write with one node down" });
      for (let i = 0; i < 10; i++) await js.publish("t.c", String(i));
      const info = await jsm.streams.info("T");
      expect(info.state.messages).toBe(12);
      expect(info.cluster?.leader).not.toBe(leader);

      // Back again: the node's own copy of T reaches the same last sequence.
      await stopped.server.start();
      await waitFor(
        async () => {
          const t = (await cluster!.streams(stopped.name)).find((s) => s.name === "T");
          return t !== undefined && t.last_seq === info.state.last_seq && t.messages === 12;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `${stopped.name} to catch up on T` },
      );
      const copies = await Promise.all(cluster.nodes.map(async (n) => (await cluster!.streams(n.name)).find((s) => s.name === "T")));
      expect(copies.map((c) => c?.last_seq)).toEqual([12, 12, 12]);
      expect(copies.every((c) => c?.replicas === 3)).toBe(true);
    } finally {
      await nc.close();
    }
  });
});
