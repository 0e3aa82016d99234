/**
 * The simulator's command decoding: a fleet-wide command reaches thousands of simulated PCs as the same
 * bytes, and parsing and validating it once per PC is the simulator's cost, not the fleet's. Each distinct
 * message is decoded once; every PC gets the same frozen result (nothing downstream may change it).
 */
import { decodeCommand, type DecodedCommand } from "../intake.js";

/** Remembered messages; the oldest is forgotten past this. */
const MEMO_MAX = 64;

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/**
 * Looked up by the bytes themselves (compared whole, newest first), not by a string decoded from them:
 * thousands of PCs receiving one message then cost a byte comparison each, and no garbage.
 */
export function memoizedCommandDecode(decode: (data: Uint8Array) => DecodedCommand = decodeCommand): (data: Uint8Array) => DecodedCommand {
  const memo: { bytes: Buffer; decoded: DecodedCommand }[] = [];
  return (data) => {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (let i = memo.length - 1; i >= 0; i--) {
      const m = memo[i]!;
      if (m.bytes.length === bytes.length && m.bytes.equals(bytes)) {
        if (i !== memo.length - 1) memo.push(...memo.splice(i, 1));
        return m.decoded;
      }
    }
    const decoded = deepFreeze(decode(data));
    // A copy: the received bytes may be a view into a buffer the connection reuses.
    memo.push({ bytes: Buffer.from(bytes), decoded });
    if (memo.length > MEMO_MAX) memo.shift();
    return decoded;
  };
}
