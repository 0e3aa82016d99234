/** Starts enrollment when the broker is locked down (the backend has `nats init` material); undefined otherwise. */
import type { Logger } from "pino";
import type { AgentGroups } from "../agent-groups.js";
import type { Audit } from "../audit/index.js";
import type { SqlDatabase } from "../db/database.js";
import type { Nats } from "../nats.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUTH_FILES, loadMaterial } from "../nats-auth/material.js";
import { mintAgentJwt } from "../nats-auth/mint.js";
import type { CommandSigner } from "../signing/keys.js";
import { claimsPusher, serveJoinRequests } from "./broker.js";
import { createEnrollment, type Enrollment } from "./service.js";
import { openEnrollmentStore } from "./store.js";
import { serviceWrapperPath } from "./installer-files.js";

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

export type { Enrollment } from "./service.js";

export interface EnrollmentDepsIn {
  authDir: string;
  natsUrl: string;
  /** The broker URL written into install scripts (default: `natsUrl`). */
  agentNatsUrl?: string;
  /** `agent_service_wrapper`: the WinSW exe the Windows installer hands out. */
  agentServiceWrapper?: string;
  natsCa?: string;
  nats: Nats;
  db: SqlDatabase;
  signer: CommandSigner;
  groups: AgentGroups;
  audit: Audit;
  log: Logger;
  clock: () => Date;
}

export async function startEnrollment(d: EnrollmentDepsIn): Promise<{ enrollment: Enrollment; stop(): Promise<void> }> {
  const material = loadMaterial(d.authDir);
  const store = openEnrollmentStore(d.db);
  const pusher = claimsPusher(d.natsUrl, material, d.log, d.natsCa);
  const enrollment = createEnrollment({
    store,
    mint: (pcId, publicKey, notBefore) => mintAgentJwt(material, pcId, publicKey, notBefore),
    pushRevocations: (revoked) => pusher.push(revoked),
    commandKeys: () => d.signer.trusted(),
    addToGroup: async (pcId, group) => void (await d.groups.update(pcId, (gs) => [...gs, group])),
    audit: d.audit,
    log: d.log,
    clock: d.clock,
    installer: {
      natsUrl: d.agentNatsUrl ?? d.natsUrl,
      enrollCreds: readFileSync(join(d.authDir, AUTH_FILES.enrollCreds), "utf8"),
      ...optional("serviceWrapper", serviceWrapperPath(d.agentServiceWrapper)),
      ...optional("natsCa", d.natsCa),
    },
  });
  // A broker restarted from its config file starts from the initial account JWT: give it the revocations again.
  await pusher.push(store.revokedKeys());
  const sub = serveJoinRequests(d.nats.nc, enrollment, d.log);
  return {
    enrollment,
    stop: async () => {
      sub.unsubscribe();
      await pusher.close();
    },
  };
}
