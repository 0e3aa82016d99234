/** Inventory snapshots, installed applications and inventory-job facts with their history (migration 003-fleet). */
import type { SqlDatabase } from "./database.js";
import { containsText } from "./dialect.js";
import {
  softwareDataSchema,
  type FactChange,
  type InstalledAppRow,
  type InventoryMessage,
  type InventoryRecord,
  type JobFactChange,
  type JobFactsRow,
} from "@kanade/protocol";
import { isoUtc as iso } from "./timestamps.js";

export interface JobFactsInput {
  job_id: string;
  pc_id: string;
  result_id: string;
  collected_at: string;
  facts: Record<string, unknown>;
}

export interface FleetStore {
  /** Keeps the newest snapshot per (pc, category); returns how many replaced what was stored. */
  upsertInventory(messages: readonly InventoryMessage[]): Promise<number>;
  getInventory(pcId: string): Promise<InventoryRecord | undefined>;
  /** PCs with an application whose name contains `name` (case-insensitive). */
  findApps(name: string, limit: number): Promise<InstalledAppRow[]>;
  /**
   * PCs whose software inventory has no application whose name contains `name` (the complement of findApps
   * among PCs that reported software), and known agents that never reported software.
   */
  missingApp(name: string): Promise<{ items: { pc_id: string; collected_at: string }[]; without_inventory: string[] }>;
  /** IPv4 addresses of each PC's non-internal interfaces, from its `net` inventory. */
  addresses(): Promise<Map<string, string[]>>;
  /** Stores the facts of one inventory-job result and records what changed; idempotent per result_id. */
  applyJobFacts(input: readonly JobFactsInput[]): Promise<number>;
  listJobFacts(jobId: string): Promise<JobFactsRow[]>;
  factHistory(jobId: string, pcId?: string): Promise<JobFactChange[]>;
  /** Forgets everything known about a PC (decommissioned). */
  forgetPc(pcId: string): Promise<void>;
}

interface InventoryRow {
  category: string;
  collected_at: string;
  data: string;
}

interface FactsRow {
  pc_id: string;
  result_id: string;
  collected_at: string;
  facts: string;
}

interface HistoryRow {
  pc_id: string;
  job_id: string;
  field: string;
  change: FactChange;
  old_value: string | null;
  new_value: string | null;
  at: string;
  result_id: string;
}

const parseOrNull = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

/** Field-by-field difference between two fact objects. Pure. */
export function diffFacts(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): { field: string; change: FactChange; old_value: unknown; new_value: unknown }[] {
  const out: { field: string; change: FactChange; old_value: unknown; new_value: unknown }[] = [];
  const prev = before ?? {};
  for (const [field, value] of Object.entries(after)) {
    if (!Object.hasOwn(prev, field)) out.push({ field, change: "appeared", old_value: null, new_value: value });
    else if (JSON.stringify(prev[field]) !== JSON.stringify(value)) {
      out.push({ field, change: "changed", old_value: prev[field], new_value: value });
    }
  }
  for (const [field, value] of Object.entries(prev)) {
    if (!Object.hasOwn(after, field)) out.push({ field, change: "removed", old_value: value, new_value: null });
  }
  return out.sort((a, b) => a.field.localeCompare(b.field));
}

/** Each PC's non-internal IPv4 addresses, from its `net` inventory (JSON), in interface order. */
const SQLITE_ADDRESSES = `SELECT i.pc_id, json_extract(j.value, '$.ip4') AS ip FROM inventory i, json_each(i.data, '$.interfaces') j
       WHERE i.category = 'net' AND json_valid(i.data) AND json_extract(j.value, '$.internal') IS NOT 1
         AND json_extract(j.value, '$.ip4') IS NOT NULL AND json_extract(j.value, '$.ip4') != ''
       ORDER BY i.pc_id, j.key`;
const POSTGRES_ADDRESSES = `SELECT i.pc_id, j.value->>'ip4' AS ip FROM inventory i,
         jsonb_array_elements(CASE WHEN jsonb_typeof(CAST(i.data AS jsonb)->'interfaces') = 'array'
                                   THEN CAST(i.data AS jsonb)->'interfaces' ELSE '[]' END) WITH ORDINALITY AS j(value, key)
       WHERE i.category = 'net' AND (j.value->'internal') IS DISTINCT FROM 'true'
         AND COALESCE(j.value->>'ip4', '') <> ''
       ORDER BY i.pc_id, j.key`;

export function openFleetStore(db: SqlDatabase): FleetStore {
  const st = {
    getCat: db.prepare(`SELECT collected_at FROM inventory WHERE pc_id = ? AND category = ?`).pluck(),
    putCat: db.prepare(
      `INSERT INTO inventory (pc_id, category, collected_at, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (pc_id, category) DO UPDATE SET collected_at = excluded.collected_at, data = excluded.data`,
    ),
    pcInventory: db.prepare(`SELECT category, collected_at, data FROM inventory WHERE pc_id = ? ORDER BY category`),
    delApps: db.prepare(`DELETE FROM installed_apps WHERE pc_id = ?`),
    putApp: db.prepare(`INSERT INTO installed_apps (pc_id, name, name_lc, version, publisher) VALUES (?, ?, ?, ?, ?)`),
    findApps: db.prepare(
      `SELECT pc_id, name, version, publisher FROM installed_apps WHERE ${containsText(db.engine, "name_lc", "?")}
       ORDER BY name_lc, pc_id LIMIT ?`,
    ),
    missingApp: db.prepare(
      `SELECT i.pc_id, i.collected_at FROM inventory i
       WHERE i.category = 'sw' AND NOT EXISTS (SELECT 1 FROM installed_apps a WHERE a.pc_id = i.pc_id AND ${containsText(db.engine, "a.name_lc", "?")})
       ORDER BY i.pc_id`,
    ),
    withoutSoftware: db
      .prepare(`SELECT pc_id FROM agents WHERE pc_id NOT IN (SELECT pc_id FROM inventory WHERE category = 'sw') ORDER BY pc_id`)
      .pluck(),
    addresses: db.prepare(db.engine === "sqlite" ? SQLITE_ADDRESSES : POSTGRES_ADDRESSES),
    getFacts: db.prepare(`SELECT pc_id, result_id, collected_at, facts FROM job_facts WHERE job_id = ? AND pc_id = ?`),
    putFacts: db.prepare(
      `INSERT INTO job_facts (job_id, pc_id, result_id, collected_at, facts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (job_id, pc_id) DO UPDATE SET result_id = excluded.result_id,
         collected_at = excluded.collected_at, facts = excluded.facts`,
    ),
    seen: db.prepare(`SELECT 1 FROM job_fact_history WHERE result_id = ? LIMIT 1`).pluck(),
    putHistory: db.prepare(
      `INSERT INTO job_fact_history (job_id, pc_id, field, change, old_value, new_value, at, result_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    listFacts: db.prepare(`SELECT pc_id, result_id, collected_at, facts FROM job_facts WHERE job_id = ? ORDER BY pc_id`),
    history: db.prepare(`SELECT * FROM job_fact_history WHERE job_id = ? ORDER BY at, pc_id, field`),
    historyPc: db.prepare(`SELECT * FROM job_fact_history WHERE job_id = ? AND pc_id = ? ORDER BY at, field`),
    forget: [
      db.prepare(`DELETE FROM inventory WHERE pc_id = ?`),
      db.prepare(`DELETE FROM installed_apps WHERE pc_id = ?`),
      db.prepare(`DELETE FROM job_facts WHERE pc_id = ?`),
      db.prepare(`DELETE FROM job_fact_history WHERE pc_id = ?`),
    ],
  };

  const upsertInventory = db.transaction((messages: readonly InventoryMessage[]): number => {
    let replaced = 0;
    for (const m of messages) {
      const at = iso(m.collected_at);
      const stored = st.getCat.get(m.pc_id, m.category) as string | undefined;
      // Replays and redeliveries may bring an older snapshot after a newer one: keep the newest.
      if (stored !== undefined && stored > at) continue;
      st.putCat.run(m.pc_id, m.category, at, JSON.stringify(m.data));
      if (m.category === "sw") {
        st.delApps.run(m.pc_id);
        const sw = softwareDataSchema.safeParse(m.data);
        for (const a of sw.success ? sw.data.apps : []) st.putApp.run(m.pc_id, a.name, a.name.toLowerCase(), a.version, a.publisher);
      }
      replaced++;
    }
    return replaced;
  });

  const applyJobFacts = db.transaction((inputs: readonly JobFactsInput[]): number => {
    let applied = 0;
    for (const f of inputs) {
      if (st.seen.get(f.result_id) !== undefined) continue;
      const at = iso(f.collected_at);
      const current = st.getFacts.get(f.job_id, f.pc_id) as FactsRow | undefined;
      if (current && (current.result_id === f.result_id || current.collected_at > at)) continue;
      const before = current ? (JSON.parse(current.facts) as Record<string, unknown>) : undefined;
      for (const d of diffFacts(before, f.facts)) {
        st.putHistory.run(f.job_id, f.pc_id, d.field, d.change, JSON.stringify(d.old_value), JSON.stringify(d.new_value), at, f.result_id);
      }
      st.putFacts.run(f.job_id, f.pc_id, f.result_id, at, JSON.stringify(f.facts));
      applied++;
    }
    return applied;
  });

  const toChange = (r: HistoryRow): JobFactChange => ({
    pc_id: r.pc_id,
    job_id: r.job_id,
    field: r.field,
    change: r.change,
    old_value: parseOrNull(r.old_value),
    new_value: parseOrNull(r.new_value),
    at: r.at,
    result_id: r.result_id,
  });

  let addressCache: Map<string, string[]> | undefined;

  const forgetPc = db.transaction((pcId: string) => {
    for (const s of st.forget) s.run(pcId);
  });

  return {
    upsertInventory: async (messages) => {
      if (messages.some((m) => m.category === "net")) addressCache = undefined;
      return messages.length ? upsertInventory(messages) : 0;
    },
    getInventory: async (pcId) => {
      const rows = st.pcInventory.all(pcId) as InventoryRow[];
      if (rows.length === 0) return undefined;
      const categories: InventoryRecord["categories"] = {};
      for (const r of rows) {
        categories[r.category as keyof InventoryRecord["categories"]] = { collected_at: r.collected_at, data: JSON.parse(r.data) };
      }
      return { pc_id: pcId, categories };
    },
    findApps: async (name, limit) => st.findApps.all(name.toLowerCase(), limit) as InstalledAppRow[],
    missingApp: async (name) => ({
      items: st.missingApp.all(name.toLowerCase()) as { pc_id: string; collected_at: string }[],
      without_inventory: st.withoutSoftware.all() as string[],
    }),
    // The agents list asks on every poll; the addresses change only with a PC's `net` inventory.
    addresses: async () => {
      if (addressCache) return addressCache;
      const out = new Map<string, string[]>();
      for (const { pc_id, ip } of st.addresses.all() as { pc_id: string; ip: unknown }[]) {
        if (typeof ip === "string") out.set(pc_id, [...(out.get(pc_id) ?? []), ip]);
      }
      addressCache = out;
      return out;
    },
    applyJobFacts: async (inputs) => (inputs.length ? applyJobFacts(inputs) : 0),
    listJobFacts: async (jobId) =>
      (st.listFacts.all(jobId) as FactsRow[]).map((r) => ({
        pc_id: r.pc_id,
        result_id: r.result_id,
        collected_at: r.collected_at,
        facts: JSON.parse(r.facts) as Record<string, unknown>,
      })),
    factHistory: async (jobId, pcId) =>
      ((pcId ? st.historyPc.all(jobId, pcId) : st.history.all(jobId)) as HistoryRow[]).map(toChange),
    forgetPc: async (pcId) => {
      addressCache = undefined;
      forgetPc(pcId);
    },
  };
}
