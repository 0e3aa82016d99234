/** Outbound-only NATS connection that never gives up (SPEC §6). */
import { connect } from "@nats-io/transport-node";
import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";

export interface ConnectParams {
  name: string;
  natsUrl: string;
  natsToken?: string;
  natsUser?: string;
  natsPassword?: string;
}

export function connectionOptions(p: ConnectParams): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: p.natsUrl.split(",").map((s) => s.trim()),
    name: p.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 2_000,
    // Spread a whole fleet's reconnects after a broker restart.
    reconnectJitter: 1_000,
    reconnectJitterTLS: 1_000,
    waitOnFirstConnect: true,
  };
  if (p.natsToken) opts.token = p.natsToken;
  if (p.natsUser) opts.user = p.natsUser;
  if (p.natsPassword) opts.pass = p.natsPassword;
  // nats.js upgrades to TLS on its own when the URL says tls://.
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
