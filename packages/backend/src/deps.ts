/** The narrow dependencies route modules receive from buildApp. */
import type { Logger } from "pino";
import type { AgentGroups } from "./agent-groups.js";
import type { Audit } from "./audit.js";
import type { Store } from "./db/index.js";
import type { GovernanceDeps } from "./governance/index.js";
import type { Catalog } from "./jobs/catalog.js";
import type { Nats } from "./nats.js";

export interface RouteDeps {
  nats: Nats;
  store: Store;
  catalog: Catalog;
  groups: AgentGroups;
  audit: Audit;
  log: Logger;
  clock: () => Date;
  /** Accounts, approvals and the audit log; absent when the app is built without a governance store. */
  governance?: GovernanceDeps;
}
