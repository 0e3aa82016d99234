/**
 * KLP framing (SPEC §10): a 4-byte little-endian length, then that many bytes of UTF-8 JSON. Shared by the
 * agent's server and the client library, so both sides refuse the same frames.
 */
import { ByteQueue } from "./byte-queue.js";

/** The largest frame body either side accepts (1 MiB). */
export const KLP_MAX_FRAME_BYTES = 1024 * 1024;
export const KLP_HEADER_BYTES = 4;

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  if (body.length > KLP_MAX_FRAME_BYTES) throw new RangeError(`KLP frame of ${body.length} bytes exceeds ${KLP_MAX_FRAME_BYTES}`);
  const header = Buffer.alloc(KLP_HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

export type FrameEvent = { kind: "frame"; body: Buffer } | { kind: "too_large"; length: number };

/**
 * Splits a byte stream into frame bodies. A header announcing more than the limit is reported at once
 * (before the body arrives), and the decoder then refuses everything: the stream cannot be resynchronised.
 */
export class FrameDecoder {
  private readonly queue = new ByteQueue();
  private failed = false;

  constructor(private readonly maxBytes = KLP_MAX_FRAME_BYTES) {}

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.queue.push(chunk);
    const out: FrameEvent[] = [];
    while (this.queue.length >= KLP_HEADER_BYTES) {
      const head = this.queue.peek(KLP_HEADER_BYTES);
      const length = head.readUInt32LE(0);
      if (length > this.maxBytes) {
        this.failed = true;
        this.queue.clear();
        out.push({ kind: "too_large", length });
        return out;
      }
      if (this.queue.length < KLP_HEADER_BYTES + length) break;
      const all = this.queue.take(KLP_HEADER_BYTES + length);
      out.push({ kind: "frame", body: all.subarray(KLP_HEADER_BYTES) });
    }
    return out;
  }
}
