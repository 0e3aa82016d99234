/**
 * The simulator's signature check: thousands of simulated PCs receive the same signed command, and one
 * Ed25519 verification per PC is the simulator's cost, not the fleet's. Each distinct (key, signature,
 * signed text) is verified once and remembered only when it verified; everything else every real agent
 * checks (trusted kid, target, PC, expiry) still runs per PC.
 */
import { signedText, type SignedKind } from "@kanade/protocol/wire";
import { verifySignature, type SignatureCheck } from "../trust/verify.js";

/** Remembered verifications; the oldest is forgotten past this (a fleet sees few distinct commands at once). */
const MEMO_MAX = 256;

export function memoizedSignatureCheck(verify: SignatureCheck = verifySignature): SignatureCheck {
  const verified = new Set<string>();
  // PCs share one frozen message object (decode-memo.ts): its signed text is worked out once.
  const texts = new WeakMap<object, Map<SignedKind, string>>();
  const textOf = (kind: SignedKind, message: Record<string, unknown>): string => {
    if (!Object.isFrozen(message)) return signedText(kind, message);
    let byKind = texts.get(message);
    if (!byKind) texts.set(message, (byKind = new Map()));
    let t = byKind.get(kind);
    if (t === undefined) byKind.set(kind, (t = signedText(kind, message)));
    return t;
  };
  return (keys, kind, message, signature) => {
    const key = keys.find((k) => k.kid === signature.kid);
    if (!key) return false;
    // The whole input of the verification, so an altered message or another key misses the memo.
    const memo = `${key.public_key}\n${signature.sig}\n${textOf(kind, message)}`;
    if (verified.has(memo)) return true;
    if (!verify(keys, kind, message, signature)) return false;
    verified.add(memo);
    if (verified.size > MEMO_MAX) verified.delete(verified.values().next().value!);
    return true;
  };
}
