/** Connecting as a user of a `.creds` file, signing the server's nonce with node:crypto. */
import { readFileSync } from "node:fs";
import type { Authenticator } from "@nats-io/transport-node";
import { KanadeError } from "@kanade/protocol";
import { nkeyFromSeed, parseCreds, signNonce } from "@kanade/protocol/nkeys";

export function authenticatorFor(jwt: string, seed: string): Authenticator {
  const key = nkeyFromSeed(seed);
  return (nonce?: string) => signNonce(key, jwt, nonce);
}

/** Reads a creds file; INVALID_CONFIG naming `setting` when it is missing or not one. */
export function credsAuthenticator(path: string, setting: string): Authenticator {
  try {
    const c = parseCreds(readFileSync(path, "utf8"));
    return authenticatorFor(c.jwt, c.seed);
  } catch (err) {
    const why = `cannot use ${path}: ${err instanceof Error ? err.message : String(err)}`;
    throw new KanadeError("INVALID_CONFIG", `${setting}: ${why}`, { details: [{ path: setting, message: why }], cause: err });
  }
}
