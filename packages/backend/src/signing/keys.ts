/**
 * The backend's command-signing keys (Ed25519, node:crypto), kept in a directory of their own: one PEM file per
 * private key (mode 0600, never sent anywhere) and `keys.json` saying which key signs (`active`), which is
 * trusted but not yet used (`next`), which are retired, and the sequence of the published key set.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { KanadeError, keyIdOf, signedText, type CommandKey, type CommandKeyInfo, type CommandKeySet, type Signature, type SignedKind } from "@kanade/protocol";

const stateSchema = z.object({
  sequence: z.number().int().nonnegative(),
  keys: z.array(
    z.object({
      kid: z.string(),
      status: z.enum(["active", "next", "retired"]),
      created_at: z.string(),
      retired_at: z.string().optional(),
    }),
  ),
});
type KeyState = z.infer<typeof stateSchema>;


export interface CommandSigner {
  /** Signs with the active key. */
  sign(kind: SignedKind, message: Record<string, unknown>): Signature;
  /** Keys agents must trust now (active and next), for enrollment replies and the published key set. */
  trusted(): CommandKey[];
  list(): CommandKeyInfo[];
  /** The key set to publish, signed by every trusted key and by keys retired in this step. */
  keySet(now: Date): CommandKeySet;
  /** Adds a key that agents learn to trust; it starts signing when the active key is retired. */
  add(now: Date): CommandKeyInfo;
  /** Retires the active key (or a next key); the next key, if any, becomes active. */
  retire(kid: string, now: Date): CommandKeyInfo;
}

const b64url = (b: Buffer): string => b.toString("base64url");

/** Raw 32-byte Ed25519 public key of a key object. */
function rawPublic(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("not an Ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

const kidOf = (key: KeyObject): string => keyIdOf(b64url(rawPublic(key)));

function writePrivate(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
}

function writeState(dir: string, state: KeyState): void {
  const tmp = join(dir, "keys.json.tmp");
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, join(dir, "keys.json"));
}

function newKey(dir: string, now: Date): { kid: string; created_at: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const kid = kidOf(privateKey);
  writePrivate(join(dir, `${kid}.pem`), privateKey.export({ format: "pem", type: "pkcs8" }).toString());
  return { kid, created_at: now.toISOString() };
}

/** Creates the directory and a first active key when there is none; returns the directory's public keys. */
export function ensureCommandSigningKeys(dir: string, now = new Date()): CommandKey[] {
  return openCommandSigner(dir, now).trusted();
}

export function openCommandSigner(dir: string, now = new Date()): CommandSigner {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const statePath = join(dir, "keys.json");
  let state: KeyState;
  if (existsSync(statePath)) {
    state = stateSchema.parse(JSON.parse(readFileSync(statePath, "utf8")));
  } else {
    state = { sequence: 1, keys: [{ ...newKey(dir, now), status: "active" }] };
    writeState(dir, state);
  }
  const privateKeys = new Map<string, KeyObject>();
  const load = (kid: string): KeyObject => {
    let k = privateKeys.get(kid);
    if (!k) {
      k = createPrivateKey(readFileSync(join(dir, `${kid}.pem`), "utf8"));
      if (kidOf(k) !== kid) throw new Error(`command signing key ${kid}.pem does not match its name`);
      privateKeys.set(kid, k);
    }
    return k;
  };
  const active = (): string => {
    const a = state.keys.find((k) => k.status === "active");
    if (!a) throw new KanadeError("INTERNAL", `no active command signing key in ${dir}`);
    return a.kid;
  };
  const signWith = (kid: string, text: string): Signature => ({ kid, sig: b64url(sign(null, Buffer.from(text, "utf8"), load(kid))) });
  const publicOf = (kid: string): CommandKey => ({ kid, public_key: b64url(rawPublic(load(kid))) });
  const info = (k: KeyState["keys"][number]): CommandKeyInfo => ({ ...publicOf(k.kid), ...k });
  let justRetired: string[] = [];
  // Fail at start, not at the first exec, when a key file is missing or damaged.
  for (const k of state.keys) if (k.status !== "retired") load(k.kid);

  const signer: CommandSigner = {
    sign: (kind, message) => signWith(active(), signedText(kind, message)),
    trusted: () => state.keys.filter((k) => k.status !== "retired").map((k) => publicOf(k.kid)),
    list: () => state.keys.map(info),
    keySet: (at) => {
      const keys = state.keys.filter((k) => k.status !== "retired").map((k) => publicOf(k.kid));
      const unsigned = { sequence: state.sequence, keys, issued_at: at.toISOString() };
      const text = signedText("commandKeys", unsigned);
      const signers = [...new Set([...keys.map((k) => k.kid), ...justRetired])];
      return { ...unsigned, signatures: signers.map((kid) => signWith(kid, text)) };
    },
    add: (at) => {
      if (state.keys.some((k) => k.status === "next")) throw new KanadeError("CONFLICT", "a new command key is already waiting; retire the active key first");
      const k = { ...newKey(dir, at), status: "next" as const };
      state = { sequence: state.sequence + 1, keys: [...state.keys, k] };
      justRetired = [];
      writeState(dir, state);
      return info(k);
    },
    retire: (kid, at) => {
      const k = state.keys.find((x) => x.kid === kid);
      if (!k) throw new KanadeError("NOT_FOUND", `No command key "${kid}"`);
      if (k.status === "retired") throw new KanadeError("CONFLICT", `Command key ${kid} is already retired`);
      const next = state.keys.find((x) => x.status === "next");
      if (k.status === "active" && !next) throw new KanadeError("CONFLICT", `Add a new command key before retiring the active one (${kid})`);
      state = {
        sequence: state.sequence + 1,
        keys: state.keys.map((x) =>
          x.kid === kid ? { ...x, status: "retired" as const, retired_at: at.toISOString() } : k.status === "active" && x.status === "next" ? { ...x, status: "active" as const } : x,
        ),
      };
      justRetired = [kid];
      writeState(dir, state);
      return info(state.keys.find((x) => x.kid === kid)!);
    },
  };
  const writePublic = (at: Date): void => writeFileSync(join(dir, PUBLIC_KEY_SET_FILE), JSON.stringify(signer.keySet(at), null, 2) + "\n", { mode: 0o644 });
  writePublic(now);
  return {
    ...signer,
    add: (at) => {
      const k = signer.add(at);
      writePublic(at);
      return k;
    },
    retire: (kid, at) => {
      const k = signer.retire(kid, at);
      writePublic(at);
      return k;
    },
  };
}

/** The signed set of trusted public keys, readable by anyone on the backend's host (e.g. the dev sandbox's agents). */
export const PUBLIC_KEY_SET_FILE = "command-keys.json";
