import { describe, expect, it } from "vitest";
import { FrameDecoder, KLP_MAX_FRAME_BYTES, encodeFrame } from "./frame.js";
import { klpRequestSchema } from "./rpc.js";

describe("KLP frames", () => {
  it("round-trips messages split at every byte boundary", () => {
    const bytes = Buffer.concat([encodeFrame({ a: "奏" }), encodeFrame([1, 2]), encodeFrame(null)]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new FrameDecoder();
      const events = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(events.map((e) => (e.kind === "frame" ? JSON.parse(e.body.toString("utf8")) : e))).toEqual([{ a: "奏" }, [1, 2], null]);
    }
  });

  it("refuses a header announcing more than 1 MiB before the body arrives, then reads nothing more", () => {
    const d = new FrameDecoder();
    const header = Buffer.alloc(4);
    header.writeUInt32LE(KLP_MAX_FRAME_BYTES + 1, 0);
    expect(d.push(header)).toEqual([{ kind: "too_large", length: KLP_MAX_FRAME_BYTES + 1 }]);
    expect(d.push(encodeFrame({ ok: true }))).toEqual([]);
  });

  it("will not encode a frame over the limit", () => {
    expect(() => encodeFrame("x".repeat(KLP_MAX_FRAME_BYTES))).toThrow(RangeError);
  });

  it("accepts only JSON-RPC 2.0 calls with an id", () => {
    expect(klpRequestSchema.safeParse({ jsonrpc: "2.0", id: 1, method: "system.ping" }).success).toBe(true);
    expect(klpRequestSchema.safeParse({ jsonrpc: "2.0", method: "system.ping" }).success).toBe(false);
    expect(klpRequestSchema.safeParse({ jsonrpc: "2.0", id: 1, method: "x", params: [1] }).success).toBe(false);
    expect(klpRequestSchema.safeParse({ jsonrpc: "2.0", id: 1, method: "x", extra: 1 }).success).toBe(false);
  });
});
