/**
 * `kanade-backend pki init --dir <dir> [--host name|ip]…`: a small CA for fleets without one, made with a
 * pure-JS X.509 library (no openssl): `ca.pem` (give it to agents), `ca-key.pem`, and a server certificate
 * (`server.pem`, `server-key.pem`) for the broker and the backend's HTTPS, valid for localhost, 127.0.0.1
 * and every `--host`. Private keys are 0600. Fleets with their own CA put their files in the same places.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, chmodSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import * as x509 from "@peculiar/x509";
import { KanadeError } from "@kanade/protocol";
import { writePrivateFile } from "../nats-auth/material.js";

// Node's WebCrypto (the same object as node:crypto's webcrypto) is the library's provider.
x509.cryptoProvider.set(globalThis.crypto);

export const PKI_FILES = { ca: "ca.pem", caKey: "ca-key.pem", cert: "server.pem", key: "server-key.pem" } as const;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

export interface PkiInitOptions {
  dir: string;
  /** Extra DNS names or IP addresses the server certificate is valid for. */
  hosts?: string[];
  /** Lifetime of the server certificate (the CA lives ten times longer). Default 825 days. */
  days?: number;
  now?: Date;
}

const serial = (): string => randomBytes(16).toString("hex").replace(/^[89a-f]/, "1");
// Node's global WebCrypto, the one the X.509 library was given: its key types are the library's.
const subtle = globalThis.crypto.subtle;
const newKeyPair = () => subtle.generateKey(ALG, true, ["sign", "verify"]);

async function pemKey(key: Parameters<typeof subtle.exportKey>[1]): Promise<string> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

export async function pkiInit(opts: PkiInitOptions): Promise<{ dir: string; files: Record<keyof typeof PKI_FILES, string> }> {
  const dir = resolve(opts.dir);
  if (existsSync(join(dir, PKI_FILES.caKey))) throw new KanadeError("CONFLICT", `${dir} already holds a CA (${PKI_FILES.caKey}); it is kept as is`);
  const now = opts.now ?? new Date();
  const days = opts.days ?? 825;
  const hosts = ["localhost", "127.0.0.1", ...(opts.hosts ?? [])];
  const caKeys = await newKeyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=kanade fleet CA",
    notBefore: now,
    notAfter: new Date(now.getTime() + days * 10 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await newKeyPair();
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.hosts?.[0] ?? "localhost"}`,
    issuer: ca.subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + days * DAY_MS),
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files = { ca: join(dir, PKI_FILES.ca), caKey: join(dir, PKI_FILES.caKey), cert: join(dir, PKI_FILES.cert), key: join(dir, PKI_FILES.key) };
  writePrivateFile(files.caKey, await pemKey(caKeys.privateKey));
  writePrivateFile(files.key, await pemKey(serverKeys.privateKey));
  // Certificates are public; 0644 so the broker's service account can read them too.
  writePrivateFile(files.ca, ca.toString("pem") + "\n");
  chmodSync(files.ca, 0o644);
  writePrivateFile(files.cert, server.toString("pem") + "\n");
  chmodSync(files.cert, 0o644);
  return { dir, files };
}
