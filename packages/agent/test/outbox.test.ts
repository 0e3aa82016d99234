import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { execResultSchema, OBJECT_STORES, STREAMS, type ExecResult } from "@kanade/protocol";
import { sampleResult, startNatsServer, tempDir, waitFor, type NatsServer, type TempDir } from "@kanade/testkit";
import { Outbox } from "../src/outbox.js";

const log = pino({ level: process.env.KANADE_TEST_LOG ?? "silent" });
let server: NatsServer;
let nc: NatsConnection;
let store: ObjectStore;
let sub: Subscription;
const seen: ExecResult[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAMS.RESULTS, subjects: ["results.>"] });
  store = await new Objm(nc).create(OBJECT_STORES.resultOutput);
  sub = nc.subscribe("results.>", { callback: (_err, msg) => void seen.push(execResultSchema.parse(msg.json())) });
  await nc.flush();
});

afterAll(async () => {
  sub.unsubscribe();
  await nc.close();
  await server.dispose();
});

function result(over: Partial<ExecResult> = {}): ExecResult {
  return sampleResult({
    result_id: uuidv7(),
    exec_id: uuidv7(),
    request_id: uuidv7(),
    job_id: "outbox-job",
    pc_id: "outbox-pc",
    finished_at: new Date().toISOString(),
    ...over,
  });
}

async function withOutbox(maxPayload: () => number | undefined, body: (outbox: Outbox, dir: string) => Promise<void>): Promise<void> {
  const data: TempDir = tempDir("kanade-outbox-");
  const dir = join(data.path, "outbox");
  const outbox = new Outbox({ dir, js: jetstream(nc), log, isConnected: () => true, maxPayload });
  try {
    await body(outbox, dir);
  } finally {
    outbox.stop();
    data.remove();
  }
}

const published = (r: ExecResult): Promise<ExecResult> =>
  waitFor(() => seen.find((s) => s.result_id === r.result_id), { what: `result ${r.result_id}` });

async function objectText(key: string): Promise<string> {
  const blob = await store.getBlob(key);
  return Buffer.from(blob ?? new Uint8Array()).toString("utf8");
}

describe("outbox", () => {
  it("publishes a result whose escaped output passes max_payload (256 KiB of NULs) and keeps the queue moving", async () => {
    await withOutbox(() => nc.info?.max_payload, async (outbox, dir) => {
      const big = result({ stdout: "\0".repeat(256 * 1024), stderr: "some warning\n" });
      const next = result({ stdout: "next\n" });
      outbox.put(big);
      outbox.put(next);
      await outbox.drain();

      const got = await published(big);
      expect(got.stdout_truncated).toBe(true);
      expect(got.stdout.length).toBeGreaterThan(100_000);
      expect(big.stdout.startsWith(got.stdout)).toBe(true);
      expect([got.stderr, got.stderr_truncated]).toEqual(["some warning\n", false]);
      // The inline text was whole before the cut, so it becomes the full copy.
      expect(got.stdout_object).toBe(`${big.result_id}/stdout`);
      expect(await objectText(`${big.result_id}/stdout`)).toBe(big.stdout);
      expect((await published(next)).stdout).toBe("next\n");
      expect(readdirSync(dir).filter((n) => n.endsWith(".json"))).toEqual([]);
    });
  });

  it("sets aside a result the broker refuses for good, and publishes the next one", async () => {
    // A max_payload reported too high skips the fit, so the publish itself is refused.
    await withOutbox(() => 64 * 1024 * 1024, async (outbox, dir) => {
      const big = result({ stdout: "\0".repeat(256 * 1024) });
      const next = result({ stdout: "after\n" });
      outbox.put(big);
      outbox.put(next);
      await outbox.drain();

      expect((await published(next)).stdout).toBe("after\n");
      expect(seen.some((s) => s.result_id === big.result_id)).toBe(false);
      const names = readdirSync(dir);
      expect(names.filter((n) => n.endsWith(".json"))).toEqual([]);
      expect(names.filter((n) => n.endsWith(".bad"))).toEqual([`${String(1).padStart(12, "0")}-${big.result_id}.json.bad`]);
    });
  });

  it("streams a spooled stream to result_output, and sends the head alone when the spool cannot be read", async () => {
    await withOutbox(() => nc.info?.max_payload, async (outbox, dir) => {
      const spooled = result({ stdout: "a".repeat(10), stdout_truncated: true });
      const spoolDir = join(dir, "output", spooled.result_id);
      mkdirSync(spoolDir, { recursive: true });
      const whole = "0123456789".repeat(300_000); // 3 MB: several chunks
      writeFileSync(join(spoolDir, "stdout"), whole);

      const broken = result({ stdout: "head", stdout_truncated: true });
      // A folder where the file should be: reading it fails on every try.
      mkdirSync(join(dir, "output", broken.result_id, "stdout"), { recursive: true });

      outbox.put(spooled);
      outbox.put(broken);
      await outbox.drain();

      const a = await published(spooled);
      expect(a.stdout_object).toBe(`${spooled.result_id}/stdout`);
      expect(await objectText(`${spooled.result_id}/stdout`)).toBe(whole);
      const b = await published(broken);
      expect([b.stdout, b.stdout_truncated, b.stdout_object]).toEqual(["head", true, undefined]);
      expect(readdirSync(join(dir, "output"))).toEqual([]);
    });
  });

  it("publishes a result put while the previous drain is finishing (in-memory and on disk)", async () => {
    // A run that completes while the drain pass is ending must not wait for the next result or reconnect:
    // put + drain land a few microtasks after the last PubAck, at every depth the pass could be in.
    for (const onDisk of [false, true]) {
      for (let depth = 0; depth < 8; depth++) {
        const data: TempDir = tempDir("kanade-outbox-");
        const real = jetstream(nc);
        let late: ExecResult | undefined;
        let outbox: Outbox | undefined = undefined;
        const js = new Proxy(real, {
          get(target, prop, receiver) {
            if (prop !== "publish") return Reflect.get(target, prop, receiver) as unknown;
            return async (...args: Parameters<typeof real.publish>) => {
              const ack = await real.publish(...args);
              if (!late) {
                late = result({ stdout: `late ${depth}\n` });
                const chosen = late;
                const hop = (n: number): void => {
                  if (n > 0) return queueMicrotask(() => hop(n - 1));
                  outbox!.put(chosen);
                  void outbox!.drain();
                };
                queueMicrotask(() => hop(depth));
              }
              return ack;
            };
          },
        });
        outbox = new Outbox({ dir: onDisk ? join(data.path, "outbox") : undefined, js, log, isConnected: () => true });
        try {
          const first = result();
          outbox.put(first);
          await outbox.drain();
          await published(first);
          await published(late!);
        } finally {
          outbox.stop();
          data.remove();
        }
      }
    }
  });
});
