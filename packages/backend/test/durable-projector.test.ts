import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { sleep, startNatsServer, waitFor, type NatsServer } from "@kanade/testkit";
import { connectNats, type Nats } from "../src/nats.js";
import { startDurableProjector } from "../src/projector/durable.js";
import { quietLog } from "./helpers.js";

const STREAM = "DURABLE_TEST";
const MESSAGES = 40;

describe("durable projector", () => {
  let server: NatsServer;
  let nats: Nats;

  beforeAll(async () => {
    server = await startNatsServer();
    nats = await connectNats({ url: server.url, log: quietLog() });
    await nats.jsm.streams.add({ name: STREAM, subjects: ["durable.test.>"], storage: StorageType.File, retention: RetentionPolicy.Limits });
    for (let i = 1; i <= MESSAGES; i++) await nats.js.publish(`durable.test.${i}`, JSON.stringify({ i }));
  });

  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
  });

  // Each case reads the whole stream through a durable of its own; the handler takes a while per batch.
  it.each([1, 2])("stores every message once with up to %i batch(es) in the handler at a time", async (inFlight) => {
    const stored: number[] = [];
    let inHandler = 0;
    let mostAtOnce = 0;
    const projector = await startDurableProjector(
      nats,
      {
        stream: STREAM,
        durable: `in-flight-${inFlight}`,
        filterSubject: "durable.test.>",
        batchMax: 5,
        inFlight,
        handle: async (batch) => {
          inHandler++;
          mostAtOnce = Math.max(mostAtOnce, inHandler);
          await sleep(50);
          for (const m of batch) stored.push(m.json<{ i: number }>().i);
          inHandler--;
        },
      },
      quietLog(),
    );
    try {
      await waitFor(() => stored.length >= MESSAGES, { what: "every message stored" });
      expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: MESSAGES }, (_, k) => k + 1));
      expect(mostAtOnce).toBe(inFlight);
      // Acknowledged after their batch was stored: nothing is left pending on the consumer.
      await waitFor(async () => (await nats.jsm.consumers.info(STREAM, `in-flight-${inFlight}`)).num_ack_pending === 0, { what: "all acked" });
    } finally {
      await projector.stop();
    }
  });
});
