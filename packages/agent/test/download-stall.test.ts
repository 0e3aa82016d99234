/**
 * A self-update download over a link that hangs: the agent reads the build through a TCP proxy to a real
 * nats-server; the proxy stops passing the broker's bytes after the first few MB. The download must give up
 * after its stall limit (the updater then retries it) and leave no partial file, instead of waiting forever.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { OBJECT_STORES } from "@kanade/protocol/wire";
import { freePort, startNatsServer, tempDir, type NatsServer, type TempDir } from "@kanade/testkit";
import { downloadRelease, DownloadStalledError } from "../src/self-update/download.js";

const SIZE = 16 * 1024 * 1024;
const KEY = "9.9.9";
let server: NatsServer;
let dir: TempDir;
const build = randomBytes(SIZE);

/** A TCP proxy to `target` that, once `freezeAfter` bytes came back from it, stops passing anything more. */
async function proxy(target: number, freezeAfter = Infinity): Promise<{ port: number; close(): void }> {
  const port = await freePort();
  const sockets: Socket[] = [];
  const srv: Server = createServer((client) => {
    const upstream = tcpConnect({ port: target, host: "127.0.0.1" });
    sockets.push(client, upstream);
    let passed = 0;
    client.on("data", (b) => upstream.write(b));
    upstream.on("data", (b) => {
      if (passed >= freezeAfter) return upstream.pause();
      passed += b.length;
      client.write(b);
    });
    for (const s of [client, upstream]) s.on("error", () => undefined);
  });
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
  return {
    port,
    close() {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

beforeAll(async () => {
  server = await startNatsServer();
  dir = tempDir("kanade-download-stall-");
  const nc = await connect({ servers: server.url });
  const os = await new Objm(jetstream(nc)).create(OBJECT_STORES.agentReleases);
  await os.putBlob({ name: KEY }, build);
  await nc.close();
});

afterAll(async () => {
  await server?.dispose();
  dir?.remove();
});

describe("self-update download", () => {
  it("reads the whole build through a working link and checks it", async () => {
    const p = await proxy(server.port);
    const nc = await connect({ servers: `nats://127.0.0.1:${p.port}` });
    try {
      const dest = dir.join("ok.exe");
      const got = await downloadRelease(nc, KEY, dest, { stallMs: 5_000 });
      expect(got.size).toBe(SIZE);
      expect(readFileSync(dest).equals(build)).toBe(true);
    } finally {
      await nc.close();
      p.close();
    }
  });

  it("gives up a download whose link hangs part-way, naming how far it got, and leaves no file", async () => {
    const p = await proxy(server.port, 4 * 1024 * 1024);
    const nc = await connect({ servers: `nats://127.0.0.1:${p.port}` });
    try {
      const dest = dir.join("stalled.exe");
      const err = await downloadRelease(nc, KEY, dest, { stallMs: 1_500 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DownloadStalledError);
      expect((err as Error).message).toMatch(new RegExp(`^download of ${KEY.replaceAll(".", "\\.")} stalled at \\d+ of ${SIZE} bytes`));
      const at = Number(/stalled at (\d+)/.exec((err as Error).message)![1]);
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(SIZE);
      expect(existsSync(dest)).toBe(false);
    } finally {
      await nc.close().catch(() => undefined);
      p.close();
    }
  });
});
