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

export function memoizedCommandDecode(decode: (data: Uint8Array) => DecodedCommand = decodeCommand): (data: Uint8Array) => DecodedCommand {
  const text = new TextDecoder();
  const memo = new Map<string, DecodedCommand>();
  return (data) => {
    const key = text.decode(data);
    let d = memo.get(key);
    if (d) return d;
    d = deepFreeze(decode(data));
    memo.set(key, d);
    if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value!);
    return d;
  };
}
