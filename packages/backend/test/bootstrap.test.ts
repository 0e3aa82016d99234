import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { BUCKETS, OBJECT_STORES, STREAMS, subjects } from "@kanade/protocol";
import { startNatsServer, type NatsServer } from "@kanade/testkit";
import type { NatsConnection } from "@nats-io/transport-node";
import { bootstrap, wrapConnection } from "../src/index.js";
import { natsClient, quietLog } from "./helpers.js";

describe("bootstrap", () => {
  let server: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await natsClient(server.url);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it("creates every stream, bucket and object store, and running it again (even concurrently) changes nothing", async () => {
    const nats = await wrapConnection(nc, quietLog());
    await bootstrap(nats, quietLog());
    await Promise.all([bootstrap(nats, quietLog()), bootstrap(nats, quietLog())]);

    const names: string[] = [];
    for await (const si of nats.jsm.streams.list()) names.push(si.config.name);
    for (const s of Object.values(STREAMS)) expect(names).toContain(s);

    const exec = await nats.jsm.streams.info(STREAMS.EXEC);
    expect(exec.config.subjects).toEqual(["commands.>"]);
    expect(exec.config.max_msgs_per_subject).toBe(1);
    expect(exec.config.discard).toBe("old");
    const results = await nats.jsm.streams.info(STREAMS.RESULTS);
    expect(results.config.subjects).toEqual(["results.>"]);
    expect(results.config.max_bytes).toBe(2 * 1024 ** 3);
    expect(results.config.duplicate_window).toBeGreaterThanOrEqual(120 * 1e9);

    const kvm = new Kvm(nats.js);
    for (const b of Object.values(BUCKETS)) await expect(kvm.open(b).then((kv) => kv.status())).resolves.toBeTruthy();
    const objm = new Objm(nats.js);
    for (const o of Object.values(OBJECT_STORES)) await expect(objm.open(o).then((os) => os.status())).resolves.toBeTruthy();
    // Full outputs age out with RESULTS (30 days) rather than piling up.
    const output = await (await objm.open(OBJECT_STORES.resultOutput)).status();
    expect(output.ttl).toBe(30 * 86_400 * 1e9);
  });

  it("keeps only the newest inventory report per PC and category, and sets that limit on a stream made before it", async () => {
    const nats = await wrapConnection(nc, quietLog());
    await bootstrap(nats, quietLog());
    for (const day of [1, 2, 3]) await nats.js.publish(subjects.inventory("inv-pc", "hw"), JSON.stringify({ day }));
    await nats.js.publish(subjects.inventory("inv-pc", "sw"), JSON.stringify({ day: 3 }));
    expect((await nats.jsm.streams.info(STREAMS.INVENTORY)).state.messages).toBe(2);
    const newest = await nats.jsm.streams.getMessage(STREAMS.INVENTORY, { last_by_subj: subjects.inventory("inv-pc", "hw") });
    expect(newest?.json()).toEqual({ day: 3 });

    // As an older backend made it: every report kept for 90 days. The next start sets the limit; reports
    // already stored beyond it age out with max_age (nats-server 2.9 trims per subject only as new ones arrive).
    await nats.jsm.streams.delete(STREAMS.INVENTORY);
    await nats.jsm.streams.add({ name: STREAMS.INVENTORY, subjects: [subjects.inventoryAll()], max_age: 90 * 86_400 * 1e9 });
    await bootstrap(nats, quietLog());
    expect((await nats.jsm.streams.info(STREAMS.INVENTORY)).config.max_msgs_per_subject).toBe(1);
  });
});
