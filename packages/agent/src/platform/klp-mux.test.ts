import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { MUX, MUX_HEADER_BYTES, MUX_MAX_PAYLOAD, MuxDecoder, encodeMux, encodeMuxData, type MuxFrame } from "./klp-mux.js";
import { RelayDemux } from "./klp-relay.js";

const frames = (d: MuxDecoder, chunk: Buffer): MuxFrame[] => d.push(chunk).flatMap((e) => (e.kind === "frame" ? [e.frame] : []));
const header = (type: number, conn: number, length: number): Buffer => {
  const b = Buffer.alloc(MUX_HEADER_BYTES);
  b.writeUInt8(type, 0);
  b.writeUInt32LE(conn, 1);
  b.writeUInt32LE(length, 5);
  return b;
};

/** mulberry32, seedable so a failing run can be replayed with KANADE_FUZZ_SEED. */
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
const SEED = Number(process.env.KANADE_FUZZ_SEED ?? Date.now() % 2 ** 31);

describe("relay mux framing", () => {
  it("round-trips frames, also when the stream arrives a byte at a time", () => {
    const sent = [encodeMux(MUX.HELLO, 0, Buffer.from('{"pipe":"p"}')), encodeMux(MUX.OPEN, 7, Buffer.from("S-1-5-21-1-2-3-1001")), encodeMux(MUX.DATA, 7, Buffer.from("hello")), encodeMux(MUX.CLOSE, 4294967295)];
    const whole = new MuxDecoder();
    const out = frames(whole, Buffer.concat(sent));
    expect(out.map((f) => [f.type, f.conn, f.payload.toString()])).toEqual([
      [MUX.HELLO, 0, '{"pipe":"p"}'],
      [MUX.OPEN, 7, "S-1-5-21-1-2-3-1001"],
      [MUX.DATA, 7, "hello"],
      [MUX.CLOSE, 4294967295, ""],
    ]);
    const bytewise = new MuxDecoder();
    const all = Buffer.concat(sent);
    const got: MuxFrame[] = [];
    for (let i = 0; i < all.length; i++) got.push(...frames(bytewise, all.subarray(i, i + 1)));
    expect(got).toEqual(out);
  });

  it("splits large data at 64 KiB and refuses to encode more in one frame", () => {
    const data = Buffer.alloc(MUX_MAX_PAYLOAD * 2 + 10, 7);
    const parts = encodeMuxData(3, data);
    expect(parts.map((p) => p.length - MUX_HEADER_BYTES)).toEqual([MUX_MAX_PAYLOAD, MUX_MAX_PAYLOAD, 10]);
    expect(Buffer.concat(frames(new MuxDecoder(), Buffer.concat(parts)).map((f) => f.payload))).toEqual(data);
    expect(() => encodeMux(MUX.DATA, 1, Buffer.alloc(MUX_MAX_PAYLOAD + 1))).toThrow(RangeError);
    expect(() => encodeMux(MUX.DATA, -1)).toThrow(RangeError);
  });

  it.each([
    ["DATA over 64 KiB", MUX.DATA, MUX_MAX_PAYLOAD + 1, /announced 65537 bytes/],
    ["a SID over 256 bytes", MUX.OPEN, 257, /at most 256/],
    ["CLOSE with a payload", MUX.CLOSE, 1, /at most 0/],
    ["a 4 GiB header", MUX.DATA, 0xffffffff, /announced 4294967295/],
    ["an unknown type", 99, 0, /unknown frame type 99/],
  ])("refuses %s at the header, before any payload, and stays refused", (_name, type, length, reason) => {
    const d = new MuxDecoder();
    const ev = d.push(header(type, 1, length));
    expect(ev).toEqual([{ kind: "broken", reason: expect.stringMatching(reason) as unknown }]);
    expect(d.push(encodeMux(MUX.DATA, 1, Buffer.from("x")))).toEqual([]);
  });

  it(`never throws on random bytes (seed ${SEED})`, () => {
    const rand = prng(SEED);
    for (let round = 0; round < 2_000; round++) {
      const d = new MuxDecoder();
      const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(rand() * 40);
        for (const ev of d.push(bytes.subarray(at, at + n))) {
          if (ev.kind === "frame") expect(ev.frame.payload.length).toBeLessThanOrEqual(MUX_MAX_PAYLOAD);
        }
        at += n;
      }
    }
  });
});

describe("relay demux (agent side, no process)", () => {
  const setup = () => {
    const sent: Buffer[] = [];
    const opened: { user: string; data: Buffer[]; closed: boolean }[] = [];
    const broken: string[] = [];
    const log = pino({ level: "silent" });
    const demux = new RelayDemux({
      log,
      send: (f) => void sent.push(f),
      onBroken: (r) => void broken.push(r),
      onHello: () => undefined,
      onFail: () => undefined,
      onConnection: (socket, user) => {
        const entry = { user, data: [] as Buffer[], closed: false };
        opened.push(entry);
        socket.on("data", (c: Buffer) => entry.data.push(c));
        socket.on("close", () => (entry.closed = true));
      },
    });
    return { demux, sent, opened, broken };
  };
  const sentFrames = (sent: Buffer[]): MuxFrame[] => frames(new MuxDecoder(), Buffer.concat(sent));

  it("opens a session per OPEN with the OS-given SID, and refuses anonymous and service tokens", async () => {
    const { demux, sent, opened } = setup();
    demux.push(Buffer.concat([encodeMux(MUX.OPEN, 1, Buffer.from("S-1-5-21-1-2-3-1001")), encodeMux(MUX.DATA, 1, Buffer.from("abc")), encodeMux(MUX.OPEN, 2, Buffer.from("S-1-5-7")), encodeMux(MUX.OPEN, 3, Buffer.from("not a sid"))]));
    await new Promise((r) => setImmediate(r));
    expect(opened.map((o) => [o.user, Buffer.concat(o.data).toString()])).toEqual([["sid:S-1-5-21-1-2-3-1001", "abc"]]);
    expect(sentFrames(sent).map((f) => [f.type, f.conn])).toEqual([[MUX.CLOSE, 2], [MUX.CLOSE, 3]]);
  });

  it("caps one user at 16 connections", () => {
    const { demux, sent, opened } = setup();
    for (let id = 1; id <= 17; id++) demux.push(encodeMux(MUX.OPEN, id, Buffer.from("S-1-5-21-1-2-3-1001")));
    expect(opened).toHaveLength(16);
    expect(sentFrames(sent).map((f) => [f.type, f.conn])).toEqual([[MUX.CLOSE, 17]]);
  });

  it("treats a second OPEN for a live id as a broken relay and closes everything", async () => {
    const { demux, opened, broken } = setup();
    demux.push(encodeMux(MUX.OPEN, 5, Buffer.from("S-1-5-21-1-2-3-1001")));
    demux.push(encodeMux(MUX.OPEN, 5, Buffer.from("S-1-5-21-1-2-3-500")));
    await new Promise((r) => setImmediate(r));
    expect(broken).toEqual([expect.stringMatching(/open already/)]);
    expect(opened.map((o) => o.closed)).toEqual([true]);
    expect(demux.size).toBe(0);
  });

  it("sends the session's writes as DATA and its end as one CLOSE", async () => {
    const sent: Buffer[] = [];
    let socket: Duplex | undefined;
    const d2 = new RelayDemux({ log: pino({ level: "silent" }), send: (f) => void sent.push(f), onBroken: () => undefined, onHello: () => undefined, onFail: () => undefined, onConnection: (s) => (socket = s) });
    d2.push(encodeMux(MUX.OPEN, 9, Buffer.from("S-1-5-21-1-2-3-1001")));
    socket!.write(Buffer.from("answer"));
    socket!.end();
    await new Promise((r) => socket!.once("close", r));
    expect(sentFrames(sent).map((f) => [f.type, f.conn, f.payload.toString()])).toEqual([[MUX.DATA, 9, "answer"], [MUX.CLOSE, 9, ""]]);
    expect(d2.size).toBe(0);
  });

  it(`survives random frame sequences (seed ${SEED}): no throw, only DATA/CLOSE go back, sessions only for SIDs`, async () => {
    const rand = prng(SEED + 1);
    const int = (n: number): number => Math.floor(rand() * n);
    const sids = ["S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1002", "S-1-5-18", "S-1-5-7", "S-1-5-20", "", "S-1-", "sid", "\u0000\u00ff"];
    for (let round = 0; round < 300; round++) {
      const { demux, sent, opened } = setup();
      const parts: Buffer[] = [];
      for (let i = 0; i < 40; i++) {
        const kind = int(10);
        const conn = int(6);
        if (kind < 3) parts.push(encodeMux(MUX.OPEN, conn, Buffer.from(sids[int(sids.length)]!, "latin1")));
        else if (kind < 6) parts.push(encodeMux(MUX.DATA, conn, Buffer.from(Array.from({ length: int(50) }, () => int(256)))));
        else if (kind < 8) parts.push(encodeMux(MUX.CLOSE, conn));
        else if (kind < 9) parts.push(encodeMux(MUX.REFUSED, conn, Buffer.from("why")));
        else parts.push(Buffer.from(Array.from({ length: int(12) }, () => int(256))));
      }
      const all = Buffer.concat(parts);
      for (let at = 0; at < all.length; at += 1 + int(64)) expect(() => demux.push(all.subarray(at, at + 1 + int(64)))).not.toThrow();
      await new Promise((r) => setImmediate(r));
      // Misaligned garbage can spell another well-formed SID (the relay is trusted for what it says); what the
      // agent guarantees is the shape, and no anonymous, LOCAL SERVICE or NETWORK SERVICE session.
      for (const o of opened) {
        expect(o.user).toMatch(/^sid:S-1-\d+(-\d+)+$/);
        expect(["sid:S-1-5-7", "sid:S-1-5-19", "sid:S-1-5-20"]).not.toContain(o.user);
      }
      for (const f of sentFrames(sent)) expect([MUX.DATA, MUX.CLOSE]).toContain(f.type);
      demux.closeAll();
    }
  });
});
