/**
 * NATS decentralized-auth JWTs (operator, account, user), built by hand and signed with node:crypto: the
 * `@nats-io/jwt` library's pure-JS Ed25519 takes ~35 ms per signature, this takes well under one.
 * Format: header `{"typ":"JWT","alg":"ed25519-nkey"}`, base64url parts, `jti` = base32 SHA-512/256 of the claims.
 */
import { createHash } from "node:crypto";
import { base32Encode, type Nkey } from "@kanade/protocol/nkeys";

const HEADER = Buffer.from(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" })).toString("base64url");

export interface Permission {
  allow?: string[];
  deny?: string[];
}

export interface UserPermissions {
  pub: Permission;
  sub: Permission;
  resp?: { max: number; ttl: number };
}

/** Signs `nats` claims about `subject` (a public key) as `issuer`. */
export function encodeJwt(issuer: Nkey, subject: string, name: string, nats: Record<string, unknown>, now = new Date()): string {
  const claims: Record<string, unknown> = { jti: "", iat: Math.floor(now.getTime() / 1000), iss: issuer.publicKey, name, sub: subject, nats };
  claims.jti = base32Encode(createHash("sha512-256").update(JSON.stringify(claims)).digest());
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${body}.${issuer.sign(Buffer.from(body)).toString("base64url")}`;
}

/** The claims of a JWT, unverified (only our own files are read this way). */
export function decodeJwt(jwt: string): { iat: number; sub: string; name: string; nats: Record<string, unknown> } {
  const part = jwt.split(".")[1];
  if (!part) throw new Error("not a JWT");
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as { iat: number; sub: string; name: string; nats: Record<string, unknown> };
}

export function operatorJwt(operator: Nkey, systemAccount: string, now?: Date): string {
  return encodeJwt(operator, operator.publicKey, "kanade", { type: "operator", version: 2, system_account: systemAccount }, now);
}

const UNLIMITED = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

export interface AccountClaims {
  name: string;
  jetstream: boolean;
  /** Scoped signing keys: users they sign get exactly the template's permissions. */
  scopedKeys?: { key: string; role: string; template: UserPermissions }[];
  /** User public key → unix seconds: JWTs of that user issued at or before it are refused. */
  revocations?: Record<string, number>;
}

export function accountJwt(operator: Nkey, account: string, c: AccountClaims, now?: Date): string {
  const limits = c.jetstream ? { ...UNLIMITED, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } : UNLIMITED;
  const nats: Record<string, unknown> = { type: "account", version: 2, limits };
  if (c.scopedKeys?.length) nats.signing_keys = c.scopedKeys.map((k) => ({ kind: "user_scope", key: k.key, role: k.role, template: k.template }));
  if (c.revocations && Object.keys(c.revocations).length > 0) nats.revocations = c.revocations;
  return encodeJwt(operator, account, c.name, nats, now);
}

/**
 * A user of `account`. Signed by the account key itself it carries its own permissions (none = all rights
 * in the account); signed by a scoped key it must carry none: the key's template applies.
 */
export function userJwt(signer: Nkey, account: string, user: string, name: string, permissions?: UserPermissions, now?: Date): string {
  const scoped = signer.publicKey !== account;
  const nats: Record<string, unknown> = { type: "user", version: 2 };
  if (scoped) nats.issuer_account = account;
  else Object.assign(nats, { pub: {}, sub: {}, subs: -1, data: -1, payload: -1 }, permissions ?? {});
  return encodeJwt(signer, user, name, nats, now);
}
