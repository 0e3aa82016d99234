/** Support bundles in SQLite: one row per bundle, its JSON body kept whole. */
import { supportBundleContentSchema, type SupportBundleDetail, type SupportBundleSummary } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";
import type { PageKey } from "../cursor.js";

export interface SupportBundleStore {
  insert(row: SupportBundleSummary & { body: string }): Promise<void>;
  list(opts: { limit: number; after?: PageKey; pcId?: string }): Promise<SupportBundleSummary[]>;
  get(id: string): Promise<SupportBundleDetail | undefined>;
}

type Row = SupportBundleSummary & { body: string };

export function openSupportBundleStore(db: SqlDatabase): SupportBundleStore {
  const insert = db.prepare("INSERT INTO support_bundles (id, pc_id, user, created_at, note, bytes, body) VALUES (@id, @pc_id, @user, @created_at, @note, @bytes, @body)");
  const one = db.prepare("SELECT id, pc_id, user, created_at, note, bytes, body FROM support_bundles WHERE id = ?");
  return {
    insert: async (row) => void insert.run(row),
    list: async ({ limit, after, pcId }) => {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit };
      if (pcId) {
        where.push("pc_id = @pc_id");
        params.pc_id = pcId;
      }
      if (after) {
        where.push("(created_at, id) < (@a_at, @a_id)");
        Object.assign(params, { a_at: after.at, a_id: after.id });
      }
      const sql = `SELECT id, pc_id, user, created_at, note, bytes FROM support_bundles ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                   ORDER BY created_at DESC, id DESC LIMIT @limit`;
      return db.prepare(sql).all(params) as SupportBundleSummary[];
    },
    get: async (id) => {
      const row = one.get(id) as Row | undefined;
      if (!row) return undefined;
      const { body, ...summary } = row;
      return { ...summary, bundle: supportBundleContentSchema.parse(JSON.parse(body)) };
    },
  };
}
