/** Opens tags, group definitions and the materializer together (they feed each other), and starts them. */
import type { Logger } from "pino";
import type { AgentGroups } from "../agent-groups.js";
import type { Audit } from "../audit/index.js";
import type { SqlDatabase } from "../db/database.js";
import type { Nats } from "../nats.js";
import { openGroupDefinitions } from "./definitions.js";
import { factsLoader } from "./facts.js";
import { createDynamicGroups, type DynamicGroups } from "./index.js";
import { createMaterializer, type Materializer } from "./materializer.js";
import { openAgentTags, type AgentTags } from "./tags.js";

export interface OpenDynamicGroups {
  tags: AgentTags;
  materializer: Materializer;
  service: DynamicGroups;
  stop(): Promise<void>;
}

export async function openDynamicGroups(deps: { nats: Nats; db: SqlDatabase; groups: AgentGroups; audit: Audit; log: Logger; clock: () => Date; sweepMs?: number }): Promise<OpenDynamicGroups> {
  // The tag watch starts before the materializer exists; its first changes are covered by the reload below.
  const late: { materializer?: Materializer } = {};
  const tags = await openAgentTags({ nats: deps.nats, db: deps.db, log: deps.log, onChange: (pc) => late.materializer?.touched([pc], "tags") });
  const definitions = openGroupDefinitions(deps.db);
  const m = createMaterializer({
    definitions: () => definitions.list(),
    loadFacts: factsLoader(deps.db, (pc) => tags.cached(pc)),
    groups: deps.groups,
    log: deps.log,
    clock: deps.clock,
    ...(deps.sweepMs !== undefined ? { sweepMs: deps.sweepMs } : {}),
  });
  late.materializer = m;
  m.reload();
  const service = createDynamicGroups({ definitions, materializer: m, groups: deps.groups, audit: deps.audit, clock: deps.clock });
  return {
    tags,
    materializer: m,
    service,
    stop: async () => {
      await m.stop();
      await tags.stop();
    },
  };
}
