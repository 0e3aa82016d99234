/**
 * argon2id password hashes in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), computed
 * with `node:crypto` (Node ≥ 24.7): no native addon. Hashes written by the earlier @node-rs/argon2 build have
 * the same format and verify unchanged.
 */
import { argon2, randomBytes, timingSafeEqual } from "node:crypto";

/** OWASP baseline (and @node-rs/argon2's defaults): 19 MiB, 2 passes, 1 lane, 32-byte tag, 16-byte salt. */
export const ARGON2_DEFAULTS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32, saltLength: 16 } as const;

/** Argon2 version 1.3, the only one node:crypto computes. */
const VERSION = 19;
const PHC = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface Argon2Params {
  memory: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  tagLength: number;
}

const b64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");

function derive(password: string, p: Argon2Params): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      "argon2id",
      { message: password, nonce: p.salt, memory: p.memory, passes: p.passes, parallelism: p.parallelism, tagLength: p.tagLength },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const { memory, passes, parallelism, tagLength, saltLength } = ARGON2_DEFAULTS;
  const salt = randomBytes(saltLength);
  const tag = await derive(password, { memory, passes, parallelism, salt, tagLength });
  return `$argon2id$v=${VERSION}$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(tag)}`;
}

/** True when `password` matches the stored PHC string; false for a wrong password or a hash this build cannot read. */
export async function passwordMatches(stored: string, password: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (!m || Number(m[1]) !== VERSION) return false;
  const expected = Buffer.from(m[6] ?? "", "base64");
  const salt = Buffer.from(m[5] ?? "", "base64");
  if (expected.length < 4 || salt.length < 8) return false;
  const tag = await derive(password, {
    memory: Number(m[2]),
    passes: Number(m[3]),
    parallelism: Number(m[4]),
    salt,
    tagLength: expected.length,
  });
  return timingSafeEqual(tag, expected);
}
