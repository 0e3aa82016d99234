/**
 * nats-server before 2.12 may place an R1 ephemeral consumer of a replicated stream on a node that is down
 * (nats-server PR #7165); its create request then never gets an answer. nats.js makes such consumers for KV
 * watches and key listings and for object reads, so while one node of three is down about one in three of those
 * would time out. This wraps the connection's `request` so such a create that times out is asked again under a
 * new name (the meta leader picks a node afresh), after a best-effort delete of the one that was never made.
 */
import { TimeoutError, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";

const ATTEMPTS = 5;
const CREATE = "$JS.API.CONSUMER.CREATE.";

interface CreateRequest {
  stream: string;
  name: string;
  /** Subject tokens after the name (a filter subject), possibly empty. */
  rest: string[];
  body: { config: { name?: string; durable_name?: string; num_replicas?: number } & Record<string, unknown> } & Record<string, unknown>;
}

function ephemeralR1Create(subject: string, payload: unknown): CreateRequest | undefined {
  if (!subject.startsWith(CREATE) || !(payload instanceof Uint8Array)) return undefined;
  const tokens = subject.slice(CREATE.length).split(".");
  if (tokens.length < 2) return undefined;
  let body: CreateRequest["body"];
  try {
    body = JSON.parse(new TextDecoder().decode(payload)) as CreateRequest["body"];
  } catch {
    return undefined;
  }
  const c = body.config;
  if (typeof c !== "object" || c === null || c.durable_name || c.num_replicas !== 1 || c.name !== tokens[1]) return undefined;
  return { stream: tokens[0]!, name: tokens[1]!, rest: tokens.slice(2), body };
}

export function retryEphemeralCreates(nc: NatsConnection, log: Logger): void {
  const request = nc.request.bind(nc);
  const wrapped: NatsConnection["request"] = async (subject, payload, opts) => {
    const create = ephemeralR1Create(subject, payload);
    if (!create) return request(subject, payload, opts);
    for (let attempt = 1; ; attempt++) {
      const name = attempt === 1 ? create.name : `${create.name}_p${attempt}`;
      const subj = [`${CREATE}${create.stream}`, name, ...create.rest].join(".");
      const body = new TextEncoder().encode(JSON.stringify({ ...create.body, config: { ...create.body.config, name } }));
      try {
        return await request(subj, body, opts);
      } catch (err) {
        if (!(err instanceof TimeoutError) || attempt >= ATTEMPTS) throw err;
        log.warn({ stream: create.stream, consumer: name, attempt }, "ephemeral consumer not created in time (placed on a node that is down?); asking again");
        void request(`$JS.API.CONSUMER.DELETE.${create.stream}.${name}`, undefined, opts).catch(() => undefined);
      }
    }
  };
  (nc as { request: NatsConnection["request"] }).request = wrapped;
}
