/**
 * The agent's broker credential. Given as a `.creds` file it is used as is; otherwise the agent makes its
 * own key pair once (the seed never leaves the PC) and asks to join over the enrollment credential, which
 * can do nothing else. The reply to an accepted request is the agent's user JWT and the command keys to
 * pin; until an operator (or an enrollment token) accepts it, the request is asked again every poll.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { enrollReplySchema, natsServers, subjects, type CommandKey, type EnrollReply, type EnrollRequest } from "@kanade/protocol/wire";
import { createNkey, nkeyFromSeed, signNonce } from "@kanade/protocol/nkeys";
import type { AgentConfig } from "../config.js";
import type { AgentCredential } from "../connection.js";
import { writeFileAtomicSync } from "../fs-atomic.js";
import type { SeedStore } from "../platform/index.js";
import { mkdirPrivate } from "../private-files.js";
import { AGENT_VERSION } from "../version.js";

export const DEFAULT_ENROLL_POLL_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5_000;

export interface CredentialDeps {
  seeds: SeedStore;
  log: Logger;
  /** Pins the command keys of an accepted request. */
  pin(keys: CommandKey[]): void;
  /** Resolves when the agent is stopping: enrollment gives up. */
  stopped?: Promise<void>;
}

export const jwtFile = (dataDir: string): string => join(dataDir, "state", "agent.jwt");

/** Forgets the JWT (not the key): the next start asks to join again with the same key, for an operator to accept. */
export function forgetJwt(dataDir: string): void {
  rmSync(jwtFile(dataDir), { force: true });
}

/** The credential to connect with, or undefined when the agent has none and no way to ask for one (an open broker). */
export async function obtainCredential(config: AgentConfig, deps: CredentialDeps): Promise<AgentCredential | undefined> {
  if (config.credential) return config.credential;
  const file = jwtFile(config.dataDir);
  const seed = deps.seeds.read();
  if (seed && existsSync(file)) return { jwt: readFileSync(file, "utf8").trim(), seed };
  if (!config.enrollCreds) return undefined;
  let key = seed ? nkeyFromSeed(seed) : undefined;
  if (!key) {
    key = createNkey("user");
    deps.seeds.write(key.seed);
    deps.log.info({ where: deps.seeds.where }, "made this agent's key pair");
  }
  const request: EnrollRequest = {
    pc_id: config.pcId,
    hostname: hostname(),
    public_key: key.publicKey,
    agent_version: AGENT_VERSION,
    ...(config.enrollToken ? { enroll_token: config.enrollToken } : {}),
  };
  const reply = await askUntilAccepted(config, request, deps);
  if (!reply) return undefined;
  mkdirPrivate(join(config.dataDir, "state"));
  writeFileAtomicSync(file, `${reply.jwt}\n`);
  deps.pin(reply.command_keys ?? []);
  deps.log.info("enrolled: this agent has its own broker credential");
  return { jwt: reply.jwt ?? "", seed: key.seed };
}

async function askUntilAccepted(config: AgentConfig, request: EnrollRequest, deps: CredentialDeps): Promise<EnrollReply | undefined> {
  const creds = config.enrollCreds!;
  const enrollKey = nkeyFromSeed(creds.seed);
  const pollMs = config.enrollPollMs ?? DEFAULT_ENROLL_POLL_MS;
  let stopped = false;
  void deps.stopped?.then(() => (stopped = true));
  let nc: NatsConnection | undefined;
  let lastStatus = "";
  try {
    nc = await connect({
      servers: natsServers(config.natsUrl),
      name: `enroll:${config.pcId}`,
      authenticator: (nonce?: string) => signNonce(enrollKey, creds.jwt, nonce),
      inboxPrefix: subjects.enrollInboxPrefix(),
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: 2_000,
      ...(config.natsCa ? { tls: { caFile: config.natsCa } } : {}),
    });
    while (!stopped) {
      let reply: EnrollReply | undefined;
      try {
        const msg = await nc.request(subjects.enroll(), JSON.stringify(request), { timeout: REQUEST_TIMEOUT_MS });
        const r = enrollReplySchema.safeParse(msg.json<unknown>());
        if (r.success) reply = r.data;
        else deps.log.warn({ problem: r.error.message }, "unreadable enrollment reply");
      } catch (err) {
        deps.log.debug({ err }, "no enrollment reply yet (is the backend running?)");
      }
      if (reply?.status === "accepted" && reply.jwt) return reply;
      if (reply && reply.status !== lastStatus) {
        lastStatus = reply.status;
        (reply.status === "pending" ? deps.log.info.bind(deps.log) : deps.log.warn.bind(deps.log))({ status: reply.status }, `not enrolled yet: ${reply.message}`);
      }
      await Promise.race([new Promise((r) => setTimeout(r, pollMs)), deps.stopped]);
    }
    return undefined;
  } finally {
    await nc?.close();
  }
}
