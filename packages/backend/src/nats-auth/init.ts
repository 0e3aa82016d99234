/**
 * `kanade-backend nats init --dir <dir>`: everything a locked-down broker needs. NATS decentralized auth
 * (operator → kanade account → a scoped signing key whose template binds each agent user to its pc_id),
 * a `full` JWT resolver so the backend can push revocations without restarting the broker, and the
 * credentials of the backend, the break-glass admin and the enrollment user.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { KanadeError } from "@kanade/protocol";
import { createNkey, formatCreds } from "@kanade/protocol/nkeys";
import { accountJwt, operatorJwt, userJwt } from "./jwt.js";
import { AUTH_FILES, kanadeAccountJwt, saveMaterial, writePrivateFile, type AuthMaterial } from "./material.js";
import { enrollPermissions } from "./policy.js";
import { PKI_FILES } from "../pki/pki.js";

export interface NatsInitOptions {
  dir: string;
  /** `host:port` the broker listens on (default 127.0.0.1:4222). */
  listen?: string;
  /** A `kanade-backend pki init` directory (or one laid out the same way): the broker serves TLS with its server certificate. */
  tlsDir?: string;
  now?: Date;
}

export interface NatsInitResult {
  dir: string;
  conf: string;
  files: string[];
}

/** A user of the kanade account signed by the account key: full rights there unless `perms` narrow them. */
function accountUserCreds(m: AuthMaterial, name: string, perms?: Parameters<typeof userJwt>[4], now?: Date): string {
  const user = createNkey("user");
  return formatCreds(userJwt(m.account, m.account.publicKey, user.publicKey, name, perms, now), user.seed);
}

const quote = (s: string): string => JSON.stringify(s);

export function serverConf(m: AuthMaterial, listen: string, now?: Date, tlsDir?: string): string {
  const sysJwt = accountJwt(m.operator, m.systemAccount.publicKey, { name: "SYS", jetstream: false }, now);
  return [
    "# Written by `kanade-backend nats init`. Start the broker with: nats-server -c <this file>",
    "# Command-line flags (-p, -a, -sd) override the values here.",
    `listen: ${quote(listen)}`,
    `jetstream { store_dir: ${quote(join(m.dir, "jetstream"))} }`,
    ...(tlsDir ? [`tls { cert_file: ${quote(join(tlsDir, PKI_FILES.cert))}, key_file: ${quote(join(tlsDir, PKI_FILES.key))}, timeout: 2 }`] : []),
    `operator: ${quote(operatorJwt(m.operator, m.systemAccount.publicKey, now))}`,
    `system_account: ${quote(m.systemAccount.publicKey)}`,
    // `full` keeps account JWTs on disk and takes signed updates (revocations) from the system account live.
    `resolver { type: full, dir: ${quote(join(m.dir, AUTH_FILES.resolverDir))}, allow_delete: false, interval: "2m" }`,
    "resolver_preload {",
    `  ${m.systemAccount.publicKey}: ${quote(sysJwt)}`,
    `  ${m.account.publicKey}: ${quote(kanadeAccountJwt(m, {}, now))}`,
    "}",
    "",
  ].join("\n");
}

export function natsInit(opts: NatsInitOptions): NatsInitResult {
  const dir = resolve(opts.dir);
  if (existsSync(join(dir, AUTH_FILES.keys))) {
    throw new KanadeError("CONFLICT", `${dir} already holds broker keys (${AUTH_FILES.keys}); it is kept as is. Remove the directory to start over: every agent then needs enrolling again`);
  }
  const m: AuthMaterial = {
    dir,
    operator: createNkey("operator"),
    systemAccount: createNkey("account"),
    account: createNkey("account"),
    agentSigner: createNkey("account"),
  };
  saveMaterial(m);
  mkdirSync(join(dir, AUTH_FILES.resolverDir), { recursive: true, mode: 0o700 });
  const conf = join(dir, AUTH_FILES.conf);
  writeFileSync(conf, serverConf(m, opts.listen ?? "127.0.0.1:4222", opts.now, opts.tlsDir ? resolve(opts.tlsDir) : undefined), { mode: 0o600 });
  const sysUser = createNkey("user");
  writePrivateFile(join(dir, AUTH_FILES.systemCreds), formatCreds(userJwt(m.systemAccount, m.systemAccount.publicKey, sysUser.publicKey, "kanade-backend-system", undefined, opts.now), sysUser.seed));
  writePrivateFile(join(dir, AUTH_FILES.backendCreds), accountUserCreds(m, "kanade-backend", undefined, opts.now));
  writePrivateFile(join(dir, AUTH_FILES.adminCreds), accountUserCreds(m, "break-glass-admin", undefined, opts.now));
  writePrivateFile(join(dir, AUTH_FILES.enrollCreds), accountUserCreds(m, "kanade-enroll", enrollPermissions(), opts.now));
  return { dir, conf, files: Object.values(AUTH_FILES).filter((f) => f !== AUTH_FILES.resolverDir).map((f) => join(dir, f)) };
}
