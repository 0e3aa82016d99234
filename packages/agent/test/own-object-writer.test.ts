/** The agent's own object writer against a real broker: the ordinary client reads what it wrote. */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { OBJECT_STORES, resultOutputChunkOwner } from "@kanade/protocol";
import { startNatsServer, type NatsServer } from "@kanade/testkit";
import { NoOutputStore, putOwnObject } from "../src/own-object-writer.js";

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc.close();
  await server.dispose();
});

describe("putOwnObject", () => {
  it("says so when the store does not exist, so the result goes out with its head", async () => {
    const err = await putOwnObject(jetstream(nc), { pcId: "pc-w", name: "r0/stdout", source: Readable.from([Buffer.from("x")]), maxPayload: undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoOutputStore);
  });

  it("writes chunks under the pc_id that the object store client reads back whole, replacing an older record", async () => {
    const store = await new Objm(jetstream(nc)).create(OBJECT_STORES.resultOutput);
    const text = Buffer.from("0123456789".repeat(40_000)); // 400 kB: four chunks at the 128 KiB chunk size
    const meta = await putOwnObject(jetstream(nc), { pcId: "pc-w", name: "r1/stdout", source: Readable.from([text.subarray(0, 7), text.subarray(7)]), maxPayload: nc.info?.max_payload });
    expect(meta.chunks).toBe(Math.ceil(text.length / (128 * 1024)));
    expect(meta.nuid.startsWith(resultOutputChunkOwner("pc-w"))).toBe(true);
    expect(Buffer.from((await store.getBlob("r1/stdout")) ?? []).equals(text)).toBe(true);
    // Empty output and a second write of the same name (the newest record wins).
    await putOwnObject(jetstream(nc), { pcId: "pc-w", name: "r1/stdout", source: Readable.from([]), maxPayload: undefined });
    expect((await store.info("r1/stdout"))?.size).toBe(0);
    expect(Buffer.from((await store.getBlob("r1/stdout")) ?? [1]).length).toBe(0);
  });
});
