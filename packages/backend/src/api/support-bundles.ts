/** Support bundles sent from PCs (KLP `support.upload_diagnostics`): list and read. */
import type { FastifyInstance } from "fastify";
import { decodeCursor } from "../cursor.js";
import type { SupportBundles } from "../support/index.js";
import { serve } from "./route.js";

export function supportBundleRoutes(app: FastifyInstance, bundles: SupportBundles): void {
  serve(app, "listSupportBundles", async ({ query: q }) => {
    const after = decodeCursor(q.cursor);
    return bundles.list({ limit: q.limit, ...(after ? { after } : {}), ...(q.pc_id ? { pcId: q.pc_id } : {}) });
  });
  serve(app, "getSupportBundle", async ({ params }) => bundles.get(params.id));
}
