/** The narrow dependencies route modules receive from buildApp. */
import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { AgentGroups } from "./agent-groups.js";
import type { AgentsStore } from "./agents/store.js";
import type { Audit } from "./audit/index.js";
import type { Executions } from "./executions/index.js";
import type { GovernanceDeps } from "./governance/deps.js";
import type { PermGroups } from "./governance/perm-groups.js";
import type { Catalog } from "./jobs/catalog.js";
import type { Nats } from "./nats.js";
import type { ResultsStore } from "./results/store.js";
import type { CommandSigner } from "./signing/keys.js";

export interface RouteDeps {
  nats: Nats;
  agents: AgentsStore;
  results: ResultsStore;
  executions: Executions;
  /** The command-signing keys (rotation goes through the API). */
  signer: CommandSigner;
  catalog: Catalog;
  groups: AgentGroups;
  auditLog: Audit;
  /** Records what a request did or was refused, after the fact (logins, refusals); changes use `auditLog.around`. */
  audit: (req: FastifyRequest, action: string, target: string, payload?: Record<string, unknown>) => Promise<void>;
  log: Logger;
  clock: () => Date;
  /** Agents not heard from for this long are left out of agent lists (not out of history); unset: none are. */
  hideAgentsAfterMs?: number;
  /** Accounts, approvals and the audit log; absent when the app is built without a governance store. */
  governance?: GovernanceDeps;
  /** Permission groups; absent when the app is built without them (nobody is scoped then). */
  permGroups?: PermGroups;
}
