/**
 * A locked-down broker for tests: `kanade-backend nats init` material in a temp dir and a real nats-server
 * started from the generated config (on a free port, with its own store), plus the credentials tests need.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Authenticator } from "@nats-io/transport-node";
import { AUTH_FILES, authenticatorFor, loadMaterial, mintAgentJwt, natsInit, type AuthMaterial } from "@kanade/backend";
import { createNkey, parseCreds } from "@kanade/protocol/nkeys";
import { startNatsServer, type NatsServer } from "./nats-server.js";
import { tempDir } from "./temp.js";

export interface AgentCredential {
  pcId: string;
  jwt: string;
  seed: string;
  publicKey: string;
  authenticator: Authenticator;
  /** `connect()` options of this agent: its credential and its own inbox prefix. */
  connectOptions: { authenticator: Authenticator; inboxPrefix: string; name: string };
}

export interface LockedNats {
  readonly server: NatsServer;
  readonly url: string;
  /** The `nats init` directory (pass as the backend's `natsAuthDir`). */
  readonly authDir: string;
  readonly material: AuthMaterial;
  /** A credential for a `.creds` file in the auth dir (`backend.creds`, `admin.creds`, `enroll.creds`, `system.creds`). */
  creds(file: string): Authenticator;
  /** The enrollment credential as an agent's `enrollCreds`. */
  readonly enrollCreds: { jwt: string; seed: string };
  /** Mints a credential for `pcId` as accepting its enrollment would. */
  agent(pcId: string): AgentCredential;
  dispose(): Promise<void>;
}

/** `tlsDir`: a `pki init` directory; the broker then serves TLS only and `url` is `tls://…`. */
export async function startLockedNatsServer(opts: { tlsDir?: string } = {}): Promise<LockedNats> {
  const dir = tempDir("kanade-nats-auth-");
  const init = natsInit({ dir: dir.path, ...(opts.tlsDir ? { tlsDir: opts.tlsDir } : {}) });
  const server = await startNatsServer({ configFile: init.conf, storeDir: join(dir.path, "jetstream") });
  const material = loadMaterial(dir.path);
  return {
    server,
    url: opts.tlsDir ? server.url.replace(/^nats:/, "tls:") : server.url,
    authDir: dir.path,
    material,
    enrollCreds: parseCreds(readFileSync(join(dir.path, AUTH_FILES.enrollCreds), "utf8")),
    creds: (file) => {
      const c = parseCreds(readFileSync(join(dir.path, file), "utf8"));
      return authenticatorFor(c.jwt, c.seed);
    },
    agent: (pcId) => {
      const key = createNkey("user");
      const jwt = mintAgentJwt(material, pcId, key.publicKey);
      const authenticator = authenticatorFor(jwt, key.seed);
      return { pcId, jwt, seed: key.seed, publicKey: key.publicKey, authenticator, connectOptions: { authenticator, inboxPrefix: `_INBOX.${pcId}`, name: pcId } };
    },
    dispose: async () => {
      await server.dispose();
      dir.remove();
    },
  };
}

export { AUTH_FILES, authenticatorFor };
