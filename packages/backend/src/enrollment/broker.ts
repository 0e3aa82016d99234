/**
 * Enrollment on the broker: answers `enroll.request` (a queue group, so several backends share the work)
 * and pushes the kanade account's JWT with its revocation list to the broker's `full` resolver as the
 * system-account user, which disconnects a revoked agent at once and refuses it from then on.
 */
import { join } from "node:path";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { natsServers, subjects } from "@kanade/protocol";
import type { Logger } from "pino";
import { z } from "zod";
import { credsAuthenticator } from "../nats-auth/creds.js";
import { AUTH_FILES, kanadeAccountJwt, type AuthMaterial } from "../nats-auth/material.js";
import { NATS_TIMEOUT_MS } from "../nats.js";
import type { Enrollment } from "./service.js";

export function serveJoinRequests(nc: NatsConnection, enrollment: Enrollment, log: Logger): Subscription {
  return nc.subscribe(subjects.enroll(), {
    queue: "kanade-backend",
    callback: (err, msg) => {
      if (err) {
        log.warn({ err }, "enrollment subscription error");
        return;
      }
      let body: unknown;
      try {
        body = msg.json<unknown>();
      } catch {
        body = undefined;
      }
      enrollment.join(body).then(
        (reply) => msg.respond(JSON.stringify(reply)),
        (e: unknown) => {
          log.error({ err: e }, "join request failed");
          msg.respond(JSON.stringify({ status: "pending", message: "the backend could not record the request; it will be asked again" }));
        },
      );
    },
  });
}

const claimsReplySchema = z.object({
  data: z.object({ code: z.number(), message: z.string().optional() }).optional(),
  error: z.object({ code: z.number().optional(), description: z.string().optional() }).optional(),
});

export interface ClaimsPusher {
  push(revoked: Map<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** Unix seconds the broker compares with a user JWT's `iat`: JWTs issued at or before it are refused. */
const revocationTimes = (revoked: Map<string, string>): Record<string, number> =>
  Object.fromEntries([...revoked].map(([key, at]) => [key, Math.floor(Date.parse(at) / 1000)]));

export function claimsPusher(url: string, m: AuthMaterial, log: Logger, caFile?: string): ClaimsPusher {
  let conn: Promise<NatsConnection> | undefined;
  const sys = (): Promise<NatsConnection> =>
    (conn ??= connect({
      servers: natsServers(url),
      name: "kanade-backend-system",
      authenticator: credsAuthenticator(join(m.dir, AUTH_FILES.systemCreds), "KANADE_NATS_AUTH_DIR"),
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      timeout: NATS_TIMEOUT_MS,
      ...(caFile ? { tls: { caFile } } : {}),
    }));
  return {
    push: async (revoked) => {
      const jwt = kanadeAccountJwt(m, revocationTimes(revoked));
      const nc = await sys();
      const reply = claimsReplySchema.safeParse((await nc.request("$SYS.REQ.CLAIMS.UPDATE", jwt, { timeout: NATS_TIMEOUT_MS })).json<unknown>());
      if (!reply.success || reply.data.error || (reply.data.data && reply.data.data.code !== 200)) {
        throw new Error(`the broker did not take the account's revocation list: ${reply.success ? JSON.stringify(reply.data) : "unreadable reply"}`);
      }
      log.info({ revoked: revoked.size }, "account revocation list pushed to the broker");
    },
    close: async () => {
      if (conn) await (await conn).close();
    },
  };
}
