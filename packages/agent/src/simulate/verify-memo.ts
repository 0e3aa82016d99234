/**
 * The simulator's signature check: thousands of simulated PCs receive the same signed command, and one
 * Ed25519 verification per PC is the simulator's cost, not the fleet's. Each distinct (key, signature,
 * signed text) is verified once and remembered only when it verified; everything else every real agent
 * checks (trusted kid, target, PC, expiry) still runs per PC.
 */
import { signedText } from "@kanade/protocol/wire";
import { verifySignature, type SignatureCheck } from "../trust/verify.js";

/** Remembered verifications; the oldest is forgotten past this (a fleet sees few distinct commands at once). */
const MEMO_MAX = 256;

export function memoizedSignatureCheck(verify: SignatureCheck = verifySignature): SignatureCheck {
  const verified = new Set<string>();
  // PCs share one frozen message object (decode-memo.ts): what verified for it is remembered on it, under a
  // short key, so a PC's check builds no string as long as the message.
  const verifiedFor = new WeakMap<object, Set<string>>();
  return (keys, kind, message, signature) => {
    const key = keys.find((k) => k.kid === signature.kid);
    if (!key) return false;
    const short = `${kind}\n${key.public_key}\n${signature.sig}`;
    const frozen = Object.isFrozen(message);
    if (frozen && verifiedFor.get(message)?.has(short)) return true;
    // The whole input of the verification, so an altered message or another key misses the memo.
    const memo = `${short}\n${signedText(kind, message)}`;
    if (!verified.has(memo)) {
      if (!verify(keys, kind, message, signature)) return false;
      verified.add(memo);
      if (verified.size > MEMO_MAX) verified.delete(verified.values().next().value!);
    }
    if (frozen) {
      let set = verifiedFor.get(message);
      if (!set) verifiedFor.set(message, (set = new Set()));
      set.add(short);
    }
    return true;
  };
}
