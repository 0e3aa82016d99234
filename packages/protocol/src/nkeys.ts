/**
 * NATS nkeys (Ed25519 keys in NATS's base32 text form) and `.creds` files, signed with `node:crypto`.
 * The JS reference library re-derives the key in pure JS on every signature (tens of milliseconds); a
 * simulated fleet of thousands of agents, or a backend minting thousands of user JWTs, cannot afford that.
 * Node-only: imported as `@kanade/protocol/nkeys`, never from the web UI.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";

/** First byte of an encoded key: what kind of NATS identity it is (NATS's own constants). */
const PREFIX = { seed: 18 << 3, operator: 14 << 3, account: 0, user: 20 << 3 } as const;
export type NkeyKind = "operator" | "account" | "user";
const KIND_BY_PREFIX = new Map<number, NkeyKind>([
  [PREFIX.operator, "operator"],
  [PREFIX.account, "account"],
  [PREFIX.user, "user"],
]);

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(data: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`not an nkey: unexpected character "${ch}"`);
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** CRC-16/XMODEM, the checksum NATS appends to every encoded key. */
function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function withChecksum(raw: Uint8Array): string {
  const buf = Buffer.alloc(raw.length + 2);
  buf.set(raw);
  buf.writeUInt16LE(crc16(raw), raw.length);
  return base32Encode(buf);
}

function checked(text: string): Buffer {
  const raw = base32Decode(text);
  if (raw.length < 4) throw new Error("not an nkey: too short");
  const payload = raw.subarray(0, raw.length - 2);
  if (crc16(payload) !== raw.readUInt16LE(raw.length - 2)) throw new Error("not an nkey: bad checksum");
  return payload;
}

export function encodePublicKey(kind: NkeyKind, raw: Uint8Array): string {
  return withChecksum(Buffer.concat([Buffer.from([PREFIX[kind]]), raw]));
}

/** The kind of an encoded public key, or undefined when `text` is not one. */
export function publicKeyKind(text: string): NkeyKind | undefined {
  try {
    const raw = checked(text);
    return raw.length === 33 ? KIND_BY_PREFIX.get(raw[0] ?? -1) : undefined;
  } catch {
    return undefined;
  }
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed, so node:crypto can load it.
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

export interface Nkey {
  readonly kind: NkeyKind;
  /** `S…` text: the secret. */
  readonly seed: string;
  /** `O…`, `A…` or `U…` text. */
  readonly publicKey: string;
  sign(data: Uint8Array): Buffer;
}

function fromRawSeed(kind: NkeyKind, rawSeed: Uint8Array): Nkey {
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, rawSeed]), format: "der", type: "pkcs8" });
  const jwk = createPublicKey(key).export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("not an Ed25519 key");
  const role = PREFIX[kind];
  const seedHead = Buffer.from([PREFIX.seed | (role >> 5), (role & 31) << 3]);
  return {
    kind,
    seed: withChecksum(Buffer.concat([seedHead, rawSeed])),
    publicKey: encodePublicKey(kind, Buffer.from(jwk.x, "base64url")),
    sign: (data) => sign(null, data, key),
  };
}

export function createNkey(kind: NkeyKind): Nkey {
  return fromRawSeed(kind, randomBytes(32));
}

/** Loads an `S…` seed; throws when it is not one (the message never contains the seed). */
export function nkeyFromSeed(seed: string): Nkey {
  const raw = checked(seed.trim());
  const b1 = raw[0] ?? 0;
  const b2 = raw[1] ?? 0;
  if ((b1 & 248) !== PREFIX.seed || raw.length !== 34) throw new Error("not an nkey seed");
  const kind = KIND_BY_PREFIX.get(((b1 & 7) << 5) | ((b2 & 248) >> 3));
  if (!kind) throw new Error("not an operator, account or user seed");
  return fromRawSeed(kind, raw.subarray(2));
}

/** Checks an Ed25519 signature made by the holder of `publicKey`. */
export function verifyNkey(publicKey: string, data: Uint8Array, signature: Uint8Array): boolean {
  const raw = checked(publicKey);
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw.subarray(1)]), format: "der", type: "spki" });
  return verify(null, data, key, signature);
}

/** The text of a NATS `.creds` file: a user JWT and its seed, as `nats` and nats.js read them. */
export function formatCreds(jwt: string, seed: string): string {
  return (
    `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n` +
    "************************* IMPORTANT *************************\n" +
    "NKEY Seed printed below can be used to sign and prove identity.\nNKEYs are sensitive and should be treated as secrets.\n\n" +
    `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n\n*************************************************************\n`
  );
}

/** Reads a `.creds` file's JWT and seed; throws a plain message when the text is not one. */
export function parseCreds(text: string): { jwt: string; seed: string } {
  const blocks = [...text.matchAll(/-{3,}[^\n]*-{3,}\r?\n([^\n\r]+)\r?\n\s*-{3,}[^\n]*-{3,}/g)].map((m) => (m[1] ?? "").trim());
  const [jwt, seed] = blocks;
  if (!jwt || !seed || jwt.split(".").length !== 3 || !seed.startsWith("SU")) throw new Error("not a NATS user credentials file (JWT and seed)");
  return { jwt, seed };
}

/** What nats.js sends in CONNECT for a JWT user: the JWT, the public key, and the server's nonce signed. */
export function signNonce(key: Nkey, jwt: string, nonce: string | undefined): { jwt: string; nkey: string; sig: string } {
  return { jwt, nkey: key.publicKey, sig: nonce ? key.sign(Buffer.from(nonce, "utf8")).toString("base64url") : "" };
}
