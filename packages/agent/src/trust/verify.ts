/**
 * Checks what the backend signed (Ed25519, node:crypto): a Command must be signed by a trusted key, bound to
 * the subject it arrived on and to this PC, and not expired; a kill message signed and fresh. Anything else is
 * refused — a broker that is fully compromised still cannot make this PC run code.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import {
  sameTarget,
  signatureSchema,
  signedText,
  targetOfSubject,
  type CommandKey,
  type CommandTarget,
  type Signature,
  type SignedKind,
} from "@kanade/protocol/wire";

const keyObjects = new Map<string, KeyObject>();

function publicKey(k: CommandKey): KeyObject {
  let o = keyObjects.get(k.public_key);
  if (!o) {
    o = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: k.public_key }, format: "jwk" });
    keyObjects.set(k.public_key, o);
  }
  return o;
}

/** How a signature is checked: `verifySignature`, or the simulator's memo of it. */
export type SignatureCheck = (keys: readonly CommandKey[], kind: SignedKind, message: Record<string, unknown>, signature: Signature) => boolean;

/** True when `signature` over the message (as `kind`) verifies with the trusted key it names. */
export function verifySignature(keys: readonly CommandKey[], kind: SignedKind, message: Record<string, unknown>, signature: Signature): boolean {
  const key = keys.find((k) => k.kid === signature.kid);
  if (!key) return false;
  try {
    return verify(null, Buffer.from(signedText(kind, message), "utf8"), publicKey(key), Buffer.from(signature.sig, "base64url"));
  } catch {
    return false; // a key or signature that is not well-formed Ed25519 verifies nothing
  }
}

const describe = (t: CommandTarget): string => (t.kind === "all" ? "all PCs" : `${t.kind} ${t.name}`);

export interface CommandCheck {
  keys: readonly CommandKey[];
  pcId: string;
  now: number;
  /** Defaults to `verifySignature`. */
  verify?: SignatureCheck;
}

/**
 * Why a command must not run, or undefined when it may. `raw` is the message exactly as received (the
 * signature covers it before any default is filled in).
 */
export function refusalOf(raw: Record<string, unknown>, subject: string, c: CommandCheck): string | undefined {
  if (c.keys.length === 0) return "no trusted command keys: enroll this agent (or set KANADE_COMMAND_KEYS) before it can run anything";
  const sig = signatureSchema.safeParse(raw.signature);
  if (!sig.success) return raw.signature === undefined ? "the command is not signed" : "the command's signature is malformed";
  if (!c.keys.some((k) => k.kid === sig.data.kid)) return `the command is signed by key ${sig.data.kid}, which this agent does not trust`;
  if (!(c.verify ?? verifySignature)(c.keys, "command", raw, sig.data)) return "the command's signature does not verify (altered, or signed by another key)";
  const target = raw.target as CommandTarget | undefined;
  const arrived = targetOfSubject(subject);
  if (!target || !arrived || !sameTarget(target, arrived)) {
    return `the command was issued for ${target ? describe(target) : "no target"} but arrived on ${subject}`;
  }
  if (target.kind === "pc" && target.name !== c.pcId) return `the command was issued for ${target.name}, not for this PC`;
  const expires = typeof raw.expires_at === "string" ? Date.parse(raw.expires_at) : NaN;
  if (Number.isNaN(expires)) return "the command has no expiry";
  if (expires <= c.now) return `the command expired at ${new Date(expires).toISOString()}`;
  return undefined;
}

/** Why a kill message must be ignored, or undefined when it counts. */
export function killRefusalOf(raw: Record<string, unknown>, keys: readonly CommandKey[], now: number): string | undefined {
  const sig = signatureSchema.safeParse(raw.signature);
  if (!sig.success) return "the kill message is not signed";
  if (!verifySignature(keys, "kill", raw, sig.data)) return "the kill message's signature does not verify";
  const expires = typeof raw.expires_at === "string" ? Date.parse(raw.expires_at) : NaN;
  if (Number.isNaN(expires) || expires <= now) return "the kill message has expired";
  return undefined;
}

/** Why a standing order (an agent-side schedule) must not be kept, or undefined when its signature verifies. */
export function orderRefusalOf(raw: Record<string, unknown>, keys: readonly CommandKey[]): string | undefined {
  if (keys.length === 0) return "no trusted command keys: enroll this agent (or set KANADE_COMMAND_KEYS) before it can fire schedules";
  const sig = signatureSchema.safeParse(raw.signature);
  if (!sig.success) return raw.signature === undefined ? "the standing order is not signed" : "the standing order's signature is malformed";
  if (!keys.some((k) => k.kid === sig.data.kid)) return `the standing order is signed by key ${sig.data.kid}, which this agent does not trust`;
  if (!verifySignature(keys, "scheduleOrder", raw, sig.data)) return "the standing order's signature does not verify (altered, or signed by another key)";
  return undefined;
}
