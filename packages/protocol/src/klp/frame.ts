/**
 * KLP framing (SPEC §10): a 4-byte little-endian length, then that many bytes of UTF-8 JSON. Shared by the
 * agent's server and the client library, so both sides refuse the same frames.
 */

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
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private readonly maxBytes = KLP_MAX_FRAME_BYTES) {}

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: FrameEvent[] = [];
    while (this.buffered >= KLP_HEADER_BYTES) {
      const head = this.peek(KLP_HEADER_BYTES);
      const length = head.readUInt32LE(0);
      if (length > this.maxBytes) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        out.push({ kind: "too_large", length });
        return out;
      }
      if (this.buffered < KLP_HEADER_BYTES + length) break;
      const all = this.take(KLP_HEADER_BYTES + length);
      out.push({ kind: "frame", body: all.subarray(KLP_HEADER_BYTES) });
    }
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const head = Buffer.from(joined.subarray(0, n));
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return head;
  }
}
