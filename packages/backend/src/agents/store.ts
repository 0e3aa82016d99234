/** The `agents` table: one row per PC, upserted from heartbeats. */
import type { Heartbeat } from "@kanade/protocol";
import type { SqlDatabase, SqlStatement } from "../db/database.js";
import { jsonbRows, jsonTextValues } from "../db/dialect.js";
import { where, type Where } from "../db/where.js";
import { NO_INTERVAL, onlineCutoff } from "./heartbeat-interval.js";
import { isoUtc as iso } from "../db/timestamps.js";

export interface AgentRecord {
  pc_id: string;
  hostname: string;
  os_family: string;
  os_version: string;
  agent_version: string;
  groups: string[];
  last_seen: string;
  heartbeat_interval_secs: number | null;
  agent_rss_bytes: number;
  agent_cpu_pct: number;
  boot_time: string | null;
  logged_in_user: string | null;
  quarantined_versions: string[];
  client_version: string | null;
}

/** One key range of the agents table: what SQL can narrow, the rest is the caller's (api/agents.ts). */
export interface AgentPageQuery {
  /** Rows after this pc_id (keyset paging on the primary key). */
  after?: string;
  limit: number;
  /** Only agents heard at or after this time (ISO): hides the long-gone ones. */
  seenSince?: string;
  /** Only these PCs (a caller's scope, a tag's PCs). */
  inPcs?: readonly string[];
}

export interface AgentsStore {
  upsertAgents(heartbeats: readonly Heartbeat[]): Promise<void>;
  listAgents(): Promise<AgentRecord[]>;
  /** At most `limit` agents in pc_id order, read by the primary key's index. */
  pageAgents(q: AgentPageQuery): Promise<AgentRecord[]>;
  getAgent(pcId: string): Promise<AgentRecord | undefined>;
  deleteAgent(pcId: string): Promise<boolean>;
  agentIds(): Promise<string[]>;
  /** How many agents are known, and how many of them were last heard before `before` (ISO), in one count. */
  countStale(before: string): Promise<{ total: number; stale: number }>;
  /**
   * How many agents there are and how many are online at `now` (a heartbeat within 3× the interval each
   * reported, as agents/online.ts judges), counted in the database: those last heard at or after `seenSince`,
   * and only `inPcs` when given.
   */
  countOnline(q: { now: Date; seenSince?: string; inPcs?: readonly string[] }): Promise<{ total: number; online: number }>;
}

interface AgentDbRow extends Omit<AgentRecord, "groups" | "quarantined_versions"> {
  groups: string;
  quarantined_versions: string;
}

const AGENT_COLUMNS =
  "pc_id, hostname, os_family, os_version, agent_version, groups, last_seen, heartbeat_interval_secs, agent_rss_bytes, agent_cpu_pct, boot_time, logged_in_user, quarantined_versions, client_version";
const RECORDSET_TYPES =
  "pc_id text, hostname text, os_family text, os_version text, agent_version text, groups text, last_seen text, heartbeat_interval_secs double precision, " +
  "agent_rss_bytes double precision, agent_cpu_pct double precision, boot_time text, logged_in_user text, quarantined_versions text, client_version text";
// last_seen is the backend's receive time and batches are written in order, so the newest write wins;
// no "newer than stored" guard, which let one heartbeat from a PC with a future clock freeze the row.
const ON_CONFLICT = `ON CONFLICT (pc_id) DO UPDATE SET hostname = excluded.hostname, os_family = excluded.os_family,
  os_version = excluded.os_version, agent_version = excluded.agent_version, groups = excluded.groups,
  last_seen = excluded.last_seen, heartbeat_interval_secs = excluded.heartbeat_interval_secs,
  agent_rss_bytes = excluded.agent_rss_bytes, agent_cpu_pct = excluded.agent_cpu_pct,
  boot_time = excluded.boot_time, logged_in_user = excluded.logged_in_user,
  quarantined_versions = excluded.quarantined_versions,
  client_version = COALESCE(excluded.client_version, agents.client_version)`;
/** PostgreSQL: a batch of heartbeats in one statement. */
const UPSERT_BATCH_SQL = `INSERT INTO agents (${AGENT_COLUMNS}, first_seen)
  SELECT ${AGENT_COLUMNS}, last_seen FROM jsonb_to_recordset(CAST(? AS jsonb)) AS x(${RECORDSET_TYPES})
  ${ON_CONFLICT}`;

export function openAgentsStore(db: SqlDatabase): AgentsStore {
  const st = {
    upsertAgent: db.prepare(
      `INSERT INTO agents (${AGENT_COLUMNS}, first_seen)
       VALUES (@pc_id, @hostname, @os_family, @os_version, @agent_version, @groups, @last_seen,
         @heartbeat_interval_secs, @agent_rss_bytes, @agent_cpu_pct, @boot_time, @logged_in_user, @quarantined_versions, @client_version, @last_seen)
       ${ON_CONFLICT}`,
    ),
    // PostgreSQL: a whole batch in one statement, since every statement is a round trip to the server (one per
    // heartbeat held the backend for most of its time at 15,000 agents).
    listAgents: db.prepare(`SELECT * FROM agents ORDER BY pc_id`),
    getAgent: db.prepare(`SELECT * FROM agents WHERE pc_id = ?`),
    deleteAgent: db.prepare(`DELETE FROM agents WHERE pc_id = ?`),
    agentIds: db.prepare(`SELECT pc_id FROM agents ORDER BY pc_id`).pluck(),
    countStale: db.prepare(`SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN last_seen < ? THEN 1 ELSE 0 END), 0) AS stale FROM agents`),
  };
  const pageStatements = new Map<string, SqlStatement>();
  const cached = (sql: string): SqlStatement => pageStatements.get(sql) ?? pageStatements.set(sql, db.prepare(sql)).get(sql)!;
  const upsertAgents = db.transaction((hbs: readonly Heartbeat[]) => {
    for (const h of hbs) st.upsertAgent.run(agentParams(h));
  });
  return {
    upsertAgents: async (hbs) => {
      if (hbs.length === 0) return;
      if (db.engine === "sqlite") return upsertAgents(hbs);
      // PostgreSQL: the whole batch in one statement, run by the bridge's background connection (the backend goes
      // on meanwhile). One row per PC (ON CONFLICT cannot touch a row twice in one statement): the last wins.
      const rows = [...new Map(hbs.map((h) => [h.pc_id, agentParams(h)])).values()];
      await db.transactionInBackground([{ sql: UPSERT_BATCH_SQL, params: [jsonbRows(rows)] }]);
    },
    listAgents: async () => (st.listAgents.all() as AgentDbRow[]).map(toAgent),
    pageAgents: async (q) => {
      const w = where({ limit: q.limit });
      if (q.after !== undefined) w.add("pc_id > @after", { after: q.after });
      if (q.seenSince !== undefined) w.add("last_seen >= @seen_since", { seen_since: q.seenSince });
      if (q.inPcs) w.add(`pc_id IN (${jsonTextValues(db.engine, "@in_pcs")})`, { in_pcs: JSON.stringify(q.inPcs) });
      const sql = `SELECT * FROM agents ${w.sql()} ORDER BY pc_id LIMIT @limit`;
      // At most eight shapes (which filters are given): each is prepared once.
      const stmt = pageStatements.get(sql) ?? pageStatements.set(sql, db.prepare(sql)).get(sql)!;
      return (stmt.all(w.params) as AgentDbRow[]).map(toAgent);
    },
    getAgent: async (pcId) => {
      const row = st.getAgent.get(pcId) as AgentDbRow | undefined;
      return row ? toAgent(row) : undefined;
    },
    deleteAgent: async (pcId) => st.deleteAgent.run(pcId).changes > 0,
    agentIds: async () => st.agentIds.all() as string[],
    countStale: async (before) => {
      const r = st.countStale.get(before) as { total: number; stale: number };
      return { total: Number(r.total), stale: Number(r.stale) };
    },
    countOnline: async ({ now, seenSince, inPcs }) => {
      const filtered = (): Where => {
        const w = where();
        if (seenSince !== undefined) w.add("last_seen >= @seen_since", { seen_since: seenSince });
        if (inPcs) w.add(`pc_id IN (${jsonTextValues(db.engine, "@in_pcs")})`, { in_pcs: JSON.stringify(inPcs) });
        return w;
      };
      // One count per distinct reported interval (a fleet reports very few), each against its own cutoff;
      // last_seen is a normalized ISO timestamp, so "online" is `last_seen >= cutoff`.
      const byInterval = filtered();
      const groups = cached(`SELECT COALESCE(heartbeat_interval_secs, ${NO_INTERVAL}) AS s, COUNT(*) AS n FROM agents ${byInterval.sql()} GROUP BY COALESCE(heartbeat_interval_secs, ${NO_INTERVAL})`)
        .all(byInterval.params) as { s: number; n: number }[];
      let total = 0;
      let online = 0;
      for (const g of groups) {
        total += Number(g.n);
        const w = filtered();
        w.add(`COALESCE(heartbeat_interval_secs, ${NO_INTERVAL}) = @interval AND last_seen >= @cutoff`, { cutoff: onlineCutoff(Number(g.s), now) });
        w.params.interval = Number(g.s);
        online += Number((cached(`SELECT COUNT(*) AS n FROM agents ${w.sql()}`).get(w.params) as { n: number }).n);
      }
      return { total, online };
    },
  };
}

function agentParams(h: Heartbeat): Record<string, string | number | null> {
  return {
    pc_id: h.pc_id,
    hostname: h.hostname,
    os_family: h.os_family,
    os_version: h.os_version,
    agent_version: h.agent_version,
    groups: JSON.stringify(h.groups),
    last_seen: iso(h.at),
    heartbeat_interval_secs: h.heartbeat_interval_secs ?? null,
    agent_rss_bytes: h.agent_rss_bytes,
    agent_cpu_pct: h.agent_cpu_pct,
    boot_time: h.boot_time ? iso(h.boot_time) : null,
    logged_in_user: h.logged_in_user ?? null,
    quarantined_versions: JSON.stringify(h.quarantined_versions ?? []),
    client_version: h.client_version ?? null,
  };
}

const toAgent = (r: AgentDbRow): AgentRecord => ({
  ...r,
  groups: JSON.parse(r.groups) as string[],
  quarantined_versions: JSON.parse(r.quarantined_versions) as string[],
});
