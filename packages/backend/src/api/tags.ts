/** Tag routes over KV `agent_tags` (compare-and-set on the revision; a stale expected_revision answers 409). */
import type { FastifyInstance } from "fastify";
import type { AgentTags } from "../groups/tags.js";
import type { RouteDeps } from "../deps.js";
import { requireNats } from "../nats.js";
import { mapPool } from "../groups/pool.js";
import { serve } from "./route.js";

/** Tag changes in flight at once in a bulk change. */
const BULK_CONCURRENCY = 256;

export function tagRoutes(app: FastifyInstance, deps: RouteDeps, tags: AgentTags): void {
  serve(app, "getAgentTags", async ({ params }) => ({ pc_id: params.pc, ...(await tags.get(params.pc)) }));

  serve(app, "changeAgentTags", async ({ params, body }, ctx) => {
    requireNats(deps.nats);
    const pc = params.pc;
    const after = await deps.auditLog.around(
      ctx.caller,
      { action: "agent.tags.change", target: pc, payload: { set: body.set, remove: body.remove } },
      () => tags.change(pc, body),
      (r) => ({ payload: { set: body.set, remove: body.remove, tags: r.tags, changed: r.changed } }),
    );
    if (after.changed) deps.log.info({ pc_id: pc, tags: after.tags }, "agent tags changed");
    return { pc_id: pc, tags: after.tags, revision: after.revision };
  });

  // Many PCs, one change and one audit record; each PC's tags still compare-and-set on their own.
  serve(app, "changeTagsBulk", async ({ body }, ctx) => {
    requireNats(deps.nats);
    const pcs = [...new Set(body.pcs)].sort();
    return deps.auditLog.around(
      ctx.caller,
      { action: "agent.tags.bulk", target: `${pcs.length} PCs`, payload: { pcs, set: body.set, remove: body.remove } },
      async () => {
        const rs = await mapPool(pcs, BULK_CONCURRENCY, (pc) => tags.change(pc, { set: body.set, remove: body.remove }));
        const changed = rs.filter((r) => r.changed).length;
        return { changed, unchanged: pcs.length - changed };
      },
    );
  });
}
