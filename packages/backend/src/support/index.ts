/** The support-bundle use case: store what an agent hands over for a local user (audited), list and read them. */
import { KanadeError, type ListResponse, type SupportBundleContent, type SupportBundleDetail, type SupportBundleSummary } from "@kanade/protocol";
import { v7 as uuidv7 } from "uuid";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import { page, type PageKey } from "../cursor.js";
import type { SupportBundleStore } from "./store.js";

export { openSupportBundleStore, type SupportBundleStore } from "./store.js";

export interface SupportBundles {
  /** Stores one bundle sent from `pcId`; `caller` is the local user as the agent's OS said. */
  receive(caller: Caller, pcId: string, content: SupportBundleContent, bytes: number): Promise<string>;
  list(opts: { limit: number; after?: PageKey; pcId?: string }): Promise<ListResponse<SupportBundleSummary>>;
  get(id: string): Promise<SupportBundleDetail>;
}

export function createSupportBundles(deps: { store: SupportBundleStore; audit: Pick<Audit, "around">; clock: () => Date }): SupportBundles {
  return {
    receive: async (caller, pcId, content, bytes) => {
      const id = uuidv7();
      const row = { id, pc_id: pcId, user: content.user, created_at: deps.clock().toISOString(), note: content.note ?? null, bytes, body: JSON.stringify(content) };
      await deps.audit.around(caller, { action: "support.upload", target: pcId, payload: { bundle_id: id, bytes } }, () => deps.store.insert(row));
      return id;
    },
    list: async ({ limit, after, pcId }) => {
      const rows = await deps.store.list({ limit: limit + 1, ...(after ? { after } : {}), ...(pcId ? { pcId } : {}) });
      return page(rows, limit, (r) => ({ at: r.created_at, id: r.id }));
    },
    get: async (id) => {
      const found = await deps.store.get(id);
      if (!found) throw new KanadeError("NOT_FOUND", `No support bundle "${id}"`);
      return found;
    },
  };
}
