import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterAll, describe, expect, it } from "vitest";
import { NatsServerMissingError, startNatsServer, waitFor, type NatsServer } from "../src/index.js";

describe("startNatsServer", () => {
  let server: NatsServer | undefined;
  afterAll(async () => server?.dispose());

  it("starts a JetStream broker on a free port and keeps its store across a restart", async () => {
    server = await startNatsServer();
    expect(server.port).toBeGreaterThan(0);
    expect(server.port).not.toBe(4222);
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 1_000 });
      await jsm.streams.add({ name: "T", subjects: ["t.>"] });
      await jetstream(nc).publish("t.a", "one");
      await server.stop();
      await server.start();
      // The client reconnects on its own; JetStream answers again once it has.
      const info = await waitFor(() => jsm.streams.info("T"), { what: "stream T after restart" });
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it("names the missing binary and how to install it", async () => {
    const saved = process.env.KANADE_NATS_SERVER_BIN;
    process.env.KANADE_NATS_SERVER_BIN = "/nonexistent/nats-server";
    try {
      await expect(startNatsServer()).rejects.toThrow(NatsServerMissingError);
      await expect(startNatsServer()).rejects.toThrow(/apt-get install nats-server/);
    } finally {
      if (saved === undefined) delete process.env.KANADE_NATS_SERVER_BIN;
      else process.env.KANADE_NATS_SERVER_BIN = saved;
    }
  });
});
