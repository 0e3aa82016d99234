/**
 * The broker's trust material, kept in the directory `kanade-backend nats init` writes: the operator, system
 * account and kanade account keys, the scoped key that signs agent users, and the creds of the backend's
 * own users. Seeds live in `keys.json` (mode 0600); only the backend host may read the directory.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { KanadeError } from "@kanade/protocol";
import { nkeyFromSeed, type Nkey } from "@kanade/protocol/nkeys";
import { accountJwt, type AccountClaims } from "./jwt.js";
import { agentPermissions } from "./policy.js";

export const AUTH_FILES = {
  keys: "keys.json",
  conf: "nats-server.conf",
  backendCreds: "backend.creds",
  systemCreds: "system.creds",
  adminCreds: "admin.creds",
  enrollCreds: "enroll.creds",
  resolverDir: "resolver",
} as const;

/** Name of the account every kanade user lives in, and of the scoped key's role. */
export const ACCOUNT_NAME = "KANADE";
export const AGENT_ROLE = "agent";

const keysSchema = z.object({
  version: z.literal(1),
  operator: z.string(),
  system_account: z.string(),
  account: z.string(),
  agent_signer: z.string(),
});

export interface AuthMaterial {
  readonly dir: string;
  readonly operator: Nkey;
  readonly systemAccount: Nkey;
  readonly account: Nkey;
  /** Scoped signing key: users it signs get the agent template, bound to their name. */
  readonly agentSigner: Nkey;
}

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function saveMaterial(m: AuthMaterial): void {
  mkdirSync(m.dir, { recursive: true, mode: 0o700 });
  chmodSync(m.dir, 0o700);
  const keys = { version: 1, operator: m.operator.seed, system_account: m.systemAccount.seed, account: m.account.seed, agent_signer: m.agentSigner.seed };
  writePrivateFile(join(m.dir, AUTH_FILES.keys), JSON.stringify(keys, null, 2) + "\n");
}

/** Loads the directory; INVALID_CONFIG naming `setting` when it is not one `nats init` wrote. */
export function loadMaterial(dir: string, setting = "KANADE_NATS_AUTH_DIR"): AuthMaterial {
  const path = join(dir, AUTH_FILES.keys);
  const fail = (why: string, cause?: unknown): KanadeError =>
    new KanadeError("INVALID_CONFIG", `${setting}: ${why} (run "kanade-backend nats init --dir ${dir}" to make one)`, { details: [{ path: setting, message: why }], cause });
  if (!existsSync(path)) throw fail(`${path} does not exist`);
  let parsed: z.infer<typeof keysSchema>;
  try {
    parsed = keysSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (err) {
    throw fail(`${path} is not a kanade broker key file`, err);
  }
  const key = (seed: string, kind: Nkey["kind"], what: string): Nkey => {
    let k: Nkey;
    try {
      k = nkeyFromSeed(seed);
    } catch (err) {
      throw fail(`${path}: ${what} is not a valid seed`, err);
    }
    if (k.kind !== kind) throw fail(`${path}: ${what} is not an ${kind} seed`);
    return k;
  };
  return {
    dir,
    operator: key(parsed.operator, "operator", "operator"),
    systemAccount: key(parsed.system_account, "account", "system_account"),
    account: key(parsed.account, "account", "account"),
    agentSigner: key(parsed.agent_signer, "account", "agent_signer"),
  };
}

/** The kanade account's JWT: JetStream on, the agent template on the scoped key, and any revocations. */
export function kanadeAccountJwt(m: AuthMaterial, revocations: Record<string, number> = {}, now?: Date): string {
  const claims: AccountClaims = {
    name: ACCOUNT_NAME,
    jetstream: true,
    scopedKeys: [{ key: m.agentSigner.publicKey, role: AGENT_ROLE, template: agentPermissions() }],
    revocations,
  };
  return accountJwt(m.operator, m.account.publicKey, claims, now);
}
