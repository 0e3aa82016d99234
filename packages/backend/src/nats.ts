/** NATS connection for the backend: reconnects forever, and tracks whether the broker is reachable. */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
  connect,
  type Authenticator,
  type NatsConnection,
} from "@nats-io/transport-node";
import { KanadeError, natsServers } from "@kanade/protocol";
import type { Logger } from "pino";
import { retryEphemeralCreates } from "./ephemeral-placement.js";

/** Publishes and JetStream API calls give up after this long, so routes answer 503 instead of hanging. */
export const NATS_TIMEOUT_MS = 5_000;

export interface Nats {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** False while the client is reconnecting. */
  isConnected(): boolean;
}

export async function connectNats(opts: { url: string; token?: string; authenticator?: Authenticator; caFile?: string; log: Logger }): Promise<Nats> {
  const nc = await connect({
    // Every node of a cluster: nats.js connects to one and fails over to the others.
    servers: natsServers(opts.url),
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.authenticator ? { authenticator: opts.authenticator } : {}),
    // A private CA for tls:// brokers; nats.js verifies the broker's certificate against it.
    ...(opts.caFile ? { tls: { caFile: opts.caFile } } : {}),
    name: "kanade-backend",
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    reconnectJitter: 500,
    timeout: NATS_TIMEOUT_MS,
  });
  return wrapConnection(nc, opts.log);
}

/** Builds the JetStream handles and a connectivity flag around an existing connection. */
export async function wrapConnection(nc: NatsConnection, log: Logger): Promise<Nats> {
  retryEphemeralCreates(nc, log);
  let connected = !nc.isClosed();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        connected = false;
        log.warn({ server: s.server }, "NATS disconnected; reconnecting");
      } else if (s.type === "reconnect") {
        connected = true;
        log.info({ server: s.server }, "NATS reconnected");
      } else if (s.type === "error") {
        log.warn({ err: s.error }, "NATS error");
      }
    }
  })().catch((err: unknown) => log.error({ err }, "NATS status watcher failed"));
  const js = jetstream(nc, { timeout: NATS_TIMEOUT_MS });
  // No account-info probe here: a cluster with a node down can take longer than the timeout to answer it (the
  // meta leader waits for the missing node's usage); bootstrap's first call tells whether JetStream answers.
  const jsm = await jetstreamManager(nc, { timeout: NATS_TIMEOUT_MS, checkAPI: false });
  return {
    nc,
    js,
    jsm,
    isConnected: () => connected && !nc.isClosed() && !nc.isDraining(),
  };
}

/** True for errors that mean "the broker is not reachable right now". */
export function isNatsUnavailable(err: unknown): boolean {
  return (
    err instanceof TimeoutError ||
    err instanceof ConnectionError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof NoRespondersError ||
    err instanceof RequestError
  );
}

/** Throws NATS_UNAVAILABLE right away when the client knows it is disconnected. */
export function requireNats(nats: Nats): void {
  if (!nats.isConnected()) throw new KanadeError("NATS_UNAVAILABLE", "The NATS broker cannot be reached; try again shortly");
}
