/** 10,000 random frames at a real agent's KLP socket: every answer is well-formed JSON-RPC, and the agent stays up. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KLP_ERRORS, KLP_MAX_FRAME_BYTES, KLP_METHODS, klpServerMessageSchema } from "@kanade/protocol/klp";
import { KlpClient } from "@kanade/protocol/klp-client";
import { startNatsServer, type NatsServer } from "@kanade/testkit";
import { handshake, rawConn, SELF_UID, startKlpAgent, type KlpAgent, type RawConn } from "./klp-harness.js";

const FRAMES = 10_000;
const PARALLEL = 4;
const CLOSING = new Set<number>([KLP_ERRORS.PARSE_ERROR, KLP_ERRORS.INVALID_REQUEST, KLP_ERRORS.PAYLOAD_TOO_LARGE, KLP_ERRORS.STALE_PROTOCOL]);
/** Printed on failure, so a run can be replayed with KANADE_FUZZ_SEED. */
const SEED = Number(process.env.KANADE_FUZZ_SEED ?? Date.now() % 2 ** 31);

let nats: NatsServer | undefined;
let agent: KlpAgent | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  agent = await startKlpAgent(nats.url, "klp-fuzz-pc", []);
});

afterAll(async () => {
  await agent?.stop();
  await nats?.dispose();
});

/** mulberry32: small, seedable, good enough to spread the cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand: () => number) {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (): string => Array.from({ length: int(20) }, () => String.fromCharCode(int(3) === 0 ? int(0x3000) : 32 + int(95))).join("");
  const value = (depth: number): unknown => {
    switch (int(depth > 3 ? 5 : 8)) {
      case 0: return null;
      case 1: return rand() < 0.5;
      case 2: return pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), Number.MAX_SAFE_INTEGER + 2]);
      case 3: return str();
      case 4: return pick(["2.0", "system.handshake", "jobs.kill", "", "__proto__"]);
      case 5: return Array.from({ length: int(4) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(["jsonrpc", "id", "method", "params", "__proto__", "constructor", str()]), value(depth + 1)]));
    }
  };
  const body = (): Buffer => {
    const kind = int(100);
    if (kind < 15) return Buffer.from(Array.from({ length: int(200) }, () => int(256)));
    if (kind < 35) return Buffer.from(JSON.stringify(value(0)) ?? "null");
    const method = rand() < 0.7 ? pick(KLP_METHODS) : str();
    const params = rand() < 0.3 ? undefined : rand() < 0.5 ? value(1) : { job_id: pick(["klp-echo", str(), ""]), exec_id: pick(["0190c7a2-1111-7000-8000-000000000000", str()]), protocol_version: pick([1, 2, "1"]), client_version: str() };
    return Buffer.from(JSON.stringify({ jsonrpc: rand() < 0.9 ? "2.0" : value(1), id: rand() < 0.9 ? int(1e6) : value(1), method, ...(params === undefined ? {} : { params }) }));
  };
  return (): Buffer => {
    if (int(100) === 0) {
      const header = Buffer.alloc(4);
      header.writeUInt32LE(KLP_MAX_FRAME_BYTES + 1 + int(2 ** 20), 0);
      return header;
    }
    const b = body();
    const header = Buffer.alloc(4);
    header.writeUInt32LE(b.length, 0);
    return Buffer.concat([header, b]);
  };
}

describe("KLP fuzz", () => {
  it(`${FRAMES} random frames: answers stay JSON-RPC and the agent stays up`, async () => {
    const next = generator(prng(SEED));
    let sent = 0;
    let answers = 0;
    const bad: unknown[] = [];
    const socket = agent!.socketOf(SELF_UID);
    // One frame at a time, each awaited: every frame is read by the agent and gets exactly one answer
    // (a refused one also closes the connection, and the next frame goes on a new one).
    const worker = async (): Promise<void> => {
      let c: RawConn | undefined;
      while (sent < FRAMES) {
        sent++; // claimed before any await: the workers share the count
        if (!c || c.isClosed()) {
          c = await rawConn(socket);
          const hello = c.next();
          c.sendJson(handshake("h"));
          await hello;
        }
        const answer = c.next();
        c.send(next());
        const f = await answer;
        if (f === undefined) {
          bad.push({ no_answer_before_close: true });
          continue;
        }
        answers++;
        const parsed = klpServerMessageSchema.safeParse(f);
        if (!parsed.success) bad.push(f);
        // These errors end the connection; wait for it, so the next frame is not sent into a closing socket.
        else if ("error" in parsed.data && CLOSING.has(parsed.data.error.code)) await c.closed;
      }
      c?.end();
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(bad, `seed ${SEED}`).toEqual([]);
    expect(sent).toBe(FRAMES);
    expect(answers).toBe(FRAMES);
    expect(agent!.child.exitCode, `seed ${SEED}`).toBeNull();
    const c = await KlpClient.connect(socket, { clientVersion: "0.0.1-test" });
    try {
      expect(await c.call("system.ping")).toMatchObject({ pong: true });
    } finally {
      c.close();
    }
    // Benchmark-style figure, not an assertion.
    console.log(JSON.stringify({ klp_fuzz: { seed: SEED, frames: sent, answers } }));
  });
});
