/** Dynamic groups as a use case: define/undefine (audited), show, preview; membership is the materializer's job. */
import { KanadeError, type GroupDefine, type GroupDefinition, type GroupDetail } from "@kanade/protocol";
import type { AgentGroups } from "../agent-groups.js";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import type { GroupDefinitions } from "./definitions.js";
import type { Materializer } from "./materializer.js";

/** define/undefine answer once members are materialised, or after this long (the rest follows shortly). */
const SETTLE_MS = 10_000;
const settled = (m: Materializer): Promise<unknown> => Promise.race([m.idle(), new Promise((r) => setTimeout(r, SETTLE_MS).unref())]);

export interface DynamicGroups {
  list(): GroupDefinition[];
  detail(name: string): GroupDetail;
  define(caller: Caller, name: string, body: GroupDefine): Promise<GroupDetail>;
  undefine(caller: Caller, name: string): Promise<void>;
  preview(query: string): { query: string; count: number; pcs: string[] };
  /** The materializer's totals since start (for /metrics). */
  stats(): ReturnType<Materializer["stats"]>;
}

export function createDynamicGroups(deps: { definitions: GroupDefinitions; materializer: Materializer; groups: AgentGroups; audit: Audit; clock: () => Date }): DynamicGroups {
  const { definitions, materializer, groups } = deps;
  const detail = (name: string): GroupDetail => {
    const members = groups.members(name);
    const definition = definitions.get(name) ?? null;
    if (!definition && members.length === 0) throw new KanadeError("NOT_FOUND", `No group "${name}": it has no members and no query`);
    const part = (which: "static" | "dynamic"): string[] => members.filter((pc) => groups.split(pc)?.[which].includes(name) === true);
    return { name, definition, members, static_members: part("static"), dynamic_members: part("dynamic") };
  };
  return {
    list: () => definitions.list(),
    detail,
    define: async (caller, name, body) => {
      const def: GroupDefinition = { name, query: body.query, description: body.description ?? null, updated_by: caller.actor, updated_at: deps.clock().toISOString() };
      await deps.audit.around(
        caller,
        { action: "group.define", target: name, payload: { query: body.query } },
        async () => {
          const before = definitions.get(name);
          definitions.put(def);
          return before;
        },
        (before) => (before ? { action: "group.redefine", payload: { query: body.query, previous_query: before.query } } : {}),
      );
      materializer.reload();
      await settled(materializer);
      return detail(name);
    },
    undefine: async (caller, name) => {
      const before = definitions.get(name);
      if (!before) throw new KanadeError("NOT_FOUND", `Group "${name}" has no query to drop`);
      await deps.audit.around(caller, { action: "group.undefine", target: name, payload: { query: before.query } }, async () => definitions.delete(name));
      materializer.reload();
      await settled(materializer);
    },
    stats: () => materializer.stats(),
    preview: (query) => {
      const pcs = materializer.matches(query);
      return { query, count: pcs.length, pcs };
    },
  };
}
