/**
 * KANADE_NATS_REPLICAS: on a real three-node cluster the backend makes every stream, KV bucket and object
 * store with three replicas, and scales ones made earlier with one replica up in place (and down again); a
 * single server asked for three replicas is a clear INVALID_CONFIG naming the setting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { BUCKETS, KanadeError, OBJECT_STORES, STREAMS } from "@kanade/protocol";
import { runBin, startNatsCluster, startNatsServer, tempDir, type NatsCluster } from "@kanade/testkit";
import { bootstrap, wrapConnection, type Nats } from "../src/index.js";
import { quietLog } from "./helpers.js";

/** Every stream the backend owns: its own, and those behind the KV buckets and object stores. */
const OWNED = [...Object.values(STREAMS), ...Object.values(BUCKETS).map((b) => `KV_${b}`), ...Object.values(OBJECT_STORES).map((o) => `OBJ_${o}`)];

async function replicasOf(nats: Nats): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const si of nats.jsm.streams.list()) out[si.config.name] = si.config.num_replicas;
  return out;
}

describe("bootstrap with replicas", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    nc = await connect({ servers: [...cluster.urls], name: "backend-test" });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.dispose();
  });

  it("makes everything R1 by default, scales it all to R3 in place (messages kept) and back to R1", async () => {
    const nats = await wrapConnection(nc, quietLog());
    await bootstrap(nats, quietLog());
    const r1 = await replicasOf(nats);
    for (const s of OWNED) expect(r1[s], s).toBe(1);
    await nats.js.publish("events.agent.pc-1.started", "{}");

    await bootstrap(nats, quietLog(), { replicas: 3 });
    const r3 = await replicasOf(nats);
    for (const s of OWNED) expect(r3[s], s).toBe(3);
    expect((await nats.jsm.streams.info(STREAMS.EVENTS)).state.messages).toBe(1);
    // Every node holds a copy of a scaled stream.
    for (const n of cluster.nodes) {
      const events = (await cluster.streams(n.name)).find((s) => s.name === STREAMS.EVENTS);
      expect(events?.replicas, n.name).toBe(3);
    }

    await bootstrap(nats, quietLog(), { replicas: 1 });
    const back = await replicasOf(nats);
    for (const s of OWNED) expect(back[s], s).toBe(1);
  });

  it("refuses R3 on a single server with INVALID_CONFIG naming KANADE_NATS_REPLICAS", async () => {
    const single = await startNatsServer();
    const snc = await connect({ servers: single.url, name: "backend-test" });
    try {
      const nats = await wrapConnection(snc, quietLog());
      const err = await bootstrap(nats, quietLog(), { replicas: 3 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KanadeError);
      expect((err as KanadeError).code).toBe("INVALID_CONFIG");
      expect((err as KanadeError).message).toMatch(/^KANADE_NATS_REPLICAS=3: the broker refused to create stream EXEC with 3 replica\(s\): .*a JetStream cluster of at least 3 nodes/);
      expect((err as KanadeError).details?.[0]?.path).toBe("KANADE_NATS_REPLICAS");
    } finally {
      await snc.close();
      await single.dispose();
    }
  });

  it("kanade-backend exits 2 with the reason when the broker refuses the replica count", async () => {
    const single = await startNatsServer();
    const dir = tempDir("kanade-replicas-bin-");
    try {
      const r = await runBin("backend", "kanade-backend", [], {
        env: {
          KANADE_BIND_ADDR: "127.0.0.1:0",
          KANADE_NATS_URL: single.url,
          KANADE_NATS_REPLICAS: "3",
          DATABASE_URL: `sqlite://${dir.join("kanade.db")}`,
          KANADE_AUTH_DISABLE: "1",
          KANADE_LOG: "silent",
        },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^kanade-backend: KANADE_NATS_REPLICAS=3: the broker refused to create stream EXEC with 3 replica\(s\)/);
    } finally {
      await single.dispose();
      dir.remove();
    }
  });
});
