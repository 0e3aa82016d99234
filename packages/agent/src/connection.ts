/** Outbound-only NATS connection that never gives up (SPEC §6). */
import { connect } from "@nats-io/transport-node";
import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import { natsServers, subjects } from "@kanade/protocol/wire";
import { nkeyFromSeed, signNonce } from "@kanade/protocol/nkeys";

export interface ConnectParams {
  name: string;
  natsUrl: string;
  natsToken?: string;
  natsUser?: string;
  natsPassword?: string;
  /** The agent's own broker credential: a user JWT for its key pair (enrolled, or a `.creds` file). */
  credential?: AgentCredential;
  /** A private CA the broker's certificate must chain to (`tls://` URLs). */
  natsCa?: string;
}

export interface AgentCredential {
  jwt: string;
  seed: string;
}

export function connectionOptions(p: ConnectParams): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: natsServers(p.natsUrl),
    name: p.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 2_000,
    // Spread a whole fleet's reconnects after a broker restart.
    reconnectJitter: 1_000,
    reconnectJitterTLS: 1_000,
    waitOnFirstConnect: true,
    // A broker that scopes agents lets each read only its own inbox: replies meant for another stay private.
    inboxPrefix: subjects.agentInboxPrefix(p.name),
  };
  if (p.credential) {
    const key = nkeyFromSeed(p.credential.seed);
    const jwt = p.credential.jwt;
    opts.authenticator = (nonce?: string) => signNonce(key, jwt, nonce);
  }
  if (p.natsToken) opts.token = p.natsToken;
  if (p.natsUser) opts.user = p.natsUser;
  if (p.natsPassword) opts.pass = p.natsPassword;
  // nats.js upgrades to TLS on its own when the URL says tls://, and verifies the broker's certificate.
  if (p.natsCa) opts.tls = { caFile: p.natsCa };
  return opts;
}

export function connectAgent(p: ConnectParams): Promise<NatsConnection> {
  return connect(connectionOptions(p));
}

/** Tracks connect/disconnect for a connection whose status nobody else follows. */
export function trackConnected(nc: NatsConnection): () => boolean {
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") connected = false;
      else if (s.type === "reconnect") connected = true;
    }
  })();
  return () => connected && !nc.isClosed();
}

/** True when the broker answers but refuses this credential (none, revoked, or signed by a key it does not trust). */
export async function brokerRefuses(p: ConnectParams): Promise<boolean> {
  try {
    const nc = await connect({ ...connectionOptions(p), waitOnFirstConnect: false, reconnect: false, timeout: 5_000 });
    await nc.close();
    return false;
  } catch (err) {
    return /authorization violation|authentication/i.test(String(err));
  }
}
