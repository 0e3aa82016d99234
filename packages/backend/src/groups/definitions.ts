/** The `group_definitions` table: one query per dynamic group. Only the backend reads it, so it is not in KV. */
import type { GroupDefinition } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

export interface GroupDefinitions {
  list(): GroupDefinition[];
  get(name: string): GroupDefinition | undefined;
  put(def: GroupDefinition): void;
  /** True when there was one. */
  delete(name: string): boolean;
}

export function openGroupDefinitions(db: SqlDatabase): GroupDefinitions {
  const st = {
    list: db.prepare("SELECT name, query, description, updated_by, updated_at FROM group_definitions ORDER BY name"),
    get: db.prepare("SELECT name, query, description, updated_by, updated_at FROM group_definitions WHERE name = ?"),
    put: db.prepare(
      `INSERT INTO group_definitions (name, query, description, updated_by, updated_at) VALUES (@name, @query, @description, @updated_by, @updated_at)
       ON CONFLICT (name) DO UPDATE SET query = excluded.query, description = excluded.description,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    ),
    delete: db.prepare("DELETE FROM group_definitions WHERE name = ?"),
  };
  return {
    list: () => st.list.all() as GroupDefinition[],
    get: (name) => st.get.get(name) as GroupDefinition | undefined,
    put: (def) => void st.put.run({ ...def }),
    delete: (name) => st.delete.run(name).changes > 0,
  };
}
