/**
 * The framing between the agent and its Windows KLP relay (klp-relay-script.ts), over the relay's stdin and
 * stdout. The relay owns the named pipe and reads each client's identity from the OS; this stream carries
 * many pipe connections at once. Only the agent and its own child hold these stdio pipes, so what the relay
 * says about a connection's SID is as trustworthy as the relay itself.
 *
 * A frame: type (1 byte), connection id (uint32 LE), payload length (uint32 LE), payload.
 * relay → agent: HELLO (conn 0, JSON `{pipe, instances}`: the pipe is open), OPEN (payload: the client's
 * SID, `S-1-…`, read from its token), DATA, CLOSE (the client went away), FAIL (conn 0, a message; the
 * relay exits after it), REFUSED (a client dropped before OPEN, and why: no identity, silent; for the log).
 * agent → relay: DATA, CLOSE (drop that client).
 */
import { ByteQueue } from "@kanade/protocol/klp";

export const MUX = { HELLO: 1, OPEN: 2, DATA: 3, CLOSE: 4, FAIL: 5, REFUSED: 6 } as const;
export type MuxType = (typeof MUX)[keyof typeof MUX];

export const MUX_HEADER_BYTES = 9;
/** The largest payload either side sends: the relay reads a pipe 64 KiB at a time. */
export const MUX_MAX_PAYLOAD = 64 * 1024;
/** An OPEN payload is a SID: far shorter than this. */
const MAX_OPEN_PAYLOAD = 256;
/** HELLO and FAIL are short texts. */
const MAX_TEXT_PAYLOAD = 4096;

export interface MuxFrame {
  type: MuxType;
  conn: number;
  payload: Buffer;
}

export function encodeMux(type: MuxType, conn: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  if (payload.length > MUX_MAX_PAYLOAD) throw new RangeError(`mux payload of ${payload.length} bytes exceeds ${MUX_MAX_PAYLOAD}`);
  if (!Number.isInteger(conn) || conn < 0 || conn > 0xffffffff) throw new RangeError(`mux connection id ${conn} is not a uint32`);
  const out = Buffer.allocUnsafe(MUX_HEADER_BYTES + payload.length);
  out.writeUInt8(type, 0);
  out.writeUInt32LE(conn, 1);
  out.writeUInt32LE(payload.length, 5);
  out.set(payload, MUX_HEADER_BYTES);
  return out;
}

/** DATA frames for `data`, split at the payload limit. */
export function encodeMuxData(conn: number, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += MUX_MAX_PAYLOAD) out.push(encodeMux(MUX.DATA, conn, data.subarray(at, at + MUX_MAX_PAYLOAD)));
  return out;
}

const LIMITS: Record<number, number> = {
  [MUX.HELLO]: MAX_TEXT_PAYLOAD,
  [MUX.OPEN]: MAX_OPEN_PAYLOAD,
  [MUX.DATA]: MUX_MAX_PAYLOAD,
  [MUX.CLOSE]: 0,
  [MUX.FAIL]: MAX_TEXT_PAYLOAD,
  [MUX.REFUSED]: MAX_TEXT_PAYLOAD,
};

export type MuxEvent = { kind: "frame"; frame: MuxFrame } | { kind: "broken"; reason: string };

/**
 * Splits the relay's stdout into frames. An unknown type or a payload over its type's limit is reported
 * at once (before the payload arrives, so nothing is buffered for it) and the decoder then refuses
 * everything: a byte stream cannot be resynchronised, and a relay that says such things is not trusted.
 */
export class MuxDecoder {
  private readonly queue = new ByteQueue();
  private broken = false;

  push(chunk: Buffer): MuxEvent[] {
    if (this.broken) return [];
    this.queue.push(chunk);
    const out: MuxEvent[] = [];
    while (this.queue.length >= MUX_HEADER_BYTES) {
      const head = this.queue.peek(MUX_HEADER_BYTES);
      const type = head.readUInt8(0);
      const conn = head.readUInt32LE(1);
      const length = head.readUInt32LE(5);
      const limit = LIMITS[type];
      const reason =
        limit === undefined ? `unknown frame type ${type}` : length > limit ? `a type ${type} frame announced ${length} bytes (at most ${limit})` : undefined;
      if (reason !== undefined) {
        this.broken = true;
        this.queue.clear();
        out.push({ kind: "broken", reason });
        return out;
      }
      if (this.queue.length < MUX_HEADER_BYTES + length) break;
      const all = this.queue.take(MUX_HEADER_BYTES + length);
      out.push({ kind: "frame", frame: { type: type as MuxType, conn, payload: all.subarray(MUX_HEADER_BYTES) } });
    }
    return out;
  }
}
