/** Loads what a group query can look at (PcFacts) for some or all PCs, in a few set-based reads. */
import type { PcFacts } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";
import { jsonTextValues } from "../db/dialect.js";

/** Which kinds of facts the current queries need, so a sweep reads only those tables. */
export interface FactNeeds {
  inventory: boolean;
  apps: boolean;
  jobFacts: boolean;
}

export type FactsLoader = (pcIds: readonly string[] | undefined, needs: FactNeeds) => PcFacts[];

const parse = (text: string): Record<string, unknown> => {
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};

export function factsLoader(db: SqlDatabase, tagsOf: (pcId: string) => Readonly<Record<string, string>> | undefined): FactsLoader {
  // `?` is a JSON array of pc_ids, or null for every PC.
  const scoped = (sql: string): ReturnType<SqlDatabase["prepare"]> =>
    db.prepare(`${sql} ${sql.includes("WHERE") ? "AND" : "WHERE"} (CAST(?1 AS TEXT) IS NULL OR pc_id IN (${jsonTextValues(db.engine, "?1")}))`);
  const st = {
    agents: scoped("SELECT pc_id, hostname, os_family, os_version, agent_version, last_seen FROM agents"),
    inventory: scoped("SELECT pc_id, category, data FROM inventory WHERE category IN ('os', 'hw', 'net')"),
    apps: scoped("SELECT pc_id, name, version, publisher FROM installed_apps"),
    jobFacts: scoped("SELECT pc_id, job_id, facts FROM job_facts"),
  };
  return (pcIds, needs) => {
    const arg = pcIds === undefined ? null : JSON.stringify(pcIds);
    const out = new Map<string, PcFacts>();
    type AgentRow = { pc_id: string; hostname: string | null; os_family: string | null; os_version: string | null; agent_version: string | null; last_seen: string | null };
    for (const a of st.agents.iterate(arg) as Iterable<AgentRow>) {
      out.set(a.pc_id, {
        pc_id: a.pc_id,
        hostname: a.hostname,
        agent_version: a.agent_version,
        last_seen_ms: a.last_seen ? Date.parse(a.last_seen) : null,
        // The heartbeat's OS until the os inventory says more (its fields win).
        inventory: { os: { family: a.os_family, version: a.os_version } },
        apps: [],
        tags: tagsOf(a.pc_id) ?? {},
        facts: {},
      });
    }
    if (needs.inventory) {
      for (const r of st.inventory.iterate(arg) as Iterable<{ pc_id: string; category: "os" | "hw" | "net"; data: string }>) {
        const f = out.get(r.pc_id);
        if (f) f.inventory[r.category] = { ...f.inventory[r.category], ...parse(r.data) };
      }
    }
    if (needs.apps) {
      const apps = new Map<string, PcFacts["apps"][number][]>();
      for (const r of st.apps.iterate(arg) as Iterable<{ pc_id: string; name: string; version: string | null; publisher: string | null }>) {
        let list = apps.get(r.pc_id);
        if (!list) apps.set(r.pc_id, (list = []));
        list.push({ name: r.name, version: r.version, publisher: r.publisher });
      }
      for (const [pc, list] of apps) {
        const f = out.get(pc);
        if (f) f.apps = list;
      }
    }
    if (needs.jobFacts) {
      for (const r of st.jobFacts.iterate(arg) as Iterable<{ pc_id: string; job_id: string; facts: string }>) {
        const f = out.get(r.pc_id);
        if (f) f.facts = { ...f.facts, [r.job_id]: parse(r.facts) };
      }
    }
    return [...out.values()];
  };
}
