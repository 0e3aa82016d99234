/** The `events` table (the timeline) and `agent_presence` (the online/offline state last recorded per PC). */
import type { EventKind, TimelineEvent } from "@kanade/protocol";
import type { PageKey } from "../cursor.js";
import type { SqlDatabase } from "../db/database.js";
import { where } from "../db/where.js";
import { jsonbRows, jsonTextValues } from "../db/dialect.js";

export interface EventFilter {
  pc?: string;
  /** Only these PCs (a caller scoped by permission groups). */
  inPcs?: readonly string[];
  kind?: EventKind;
  since?: string;
  until?: string;
}

export interface PresenceRecord {
  pc_id: string;
  online: boolean;
  changed_at: string;
}

export interface EventsStore {
  /** Inserts events not stored yet (by event_id); returns how many were new. */
  insertEvents(events: readonly TimelineEvent[]): Promise<number>;
  /** Newest first. */
  listEvents(opts: EventFilter & { limit: number; after?: PageKey }): Promise<TimelineEvent[]>;
  /** Deletes at most `batch` events older than `before`; returns how many. */
  pruneBefore(before: string, batch: number): Promise<number>;
  presence(): Promise<Map<string, PresenceRecord>>;
  /** Records a transition and its event in one step, so a crash cannot record one without the other. */
  recordTransitions(changes: readonly { presence: PresenceRecord; event?: TimelineEvent }[]): Promise<void>;
}

type Required5 = "event_id" | "pc_id" | "kind" | "at" | "received_at";
type EventRow = Pick<TimelineEvent, Required5> & { [K in "user" | "source" | "exec_id" | "job_id" | "name" | "message" | "data"]: string | null };

/** Presence transitions written per transaction (two statements each). */
export const TRANSITIONS_PER_TRANSACTION = 250;

const EVENT_COLUMNS = "event_id, pc_id, kind, at, received_at, user, source, exec_id, job_id, name, message, data";

const eventParams = (e: TimelineEvent): Record<string, string | null> => ({
  event_id: e.event_id,
  pc_id: e.pc_id,
  kind: e.kind,
  at: new Date(e.at).toISOString(),
  received_at: new Date(e.received_at).toISOString(),
  user: e.user ?? null,
  source: e.source ?? null,
  exec_id: e.exec_id ?? null,
  job_id: e.job_id ?? null,
  name: e.name ?? null,
  message: e.message ?? null,
  data: e.data === undefined ? null : JSON.stringify(e.data),
});

const presenceParams = (p: PresenceRecord): { pc_id: string; online: number; changed_at: string } => ({ pc_id: p.pc_id, online: p.online ? 1 : 0, changed_at: p.changed_at });

export function openEventsStore(db: SqlDatabase): EventsStore {
  const insert = db.prepare(
    `INSERT INTO events (${EVENT_COLUMNS})
     VALUES (@event_id, @pc_id, @kind, @at, @received_at, @user, @source, @exec_id, @job_id, @name, @message, @data)
     ON CONFLICT (event_id) DO NOTHING`,
  );
  const upsertPresence = db.prepare(
    `INSERT INTO agent_presence (pc_id, online, changed_at) VALUES (@pc_id, @online, @changed_at)
     ON CONFLICT (pc_id) DO UPDATE SET online = excluded.online, changed_at = excluded.changed_at`,
  );
  // PostgreSQL: a batch in one statement per table, since every statement is a round trip to the server.
  const pg =
    db.engine === "postgres"
      ? {
          events: db.prepare(
            `INSERT INTO events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM jsonb_to_recordset(CAST(? AS jsonb))
               AS x(${EVENT_COLUMNS.split(", ").map((c) => `${c} text`).join(", ")})
             ON CONFLICT (event_id) DO NOTHING`,
          ),
          presence: db.prepare(
            `INSERT INTO agent_presence (pc_id, online, changed_at)
             SELECT pc_id, online, changed_at FROM jsonb_to_recordset(CAST(? AS jsonb)) AS x(pc_id text, online bigint, changed_at text)
             ON CONFLICT (pc_id) DO UPDATE SET online = excluded.online, changed_at = excluded.changed_at`,
          ),
        }
      : undefined;
  const insertEvents = (events: readonly TimelineEvent[]): number => {
    if (events.length === 0) return 0;
    if (pg) return pg.events.run(jsonbRows(events.map(eventParams))).changes;
    return events.reduce((n, e) => n + insert.run(eventParams(e)).changes, 0);
  };
  const insertAll = db.transaction((events: readonly TimelineEvent[]) => insertEvents(events));
  const transitions = db.transaction((changes: readonly { presence: PresenceRecord; event?: TimelineEvent }[]) => {
    if (pg) {
      // One row per PC in a statement (ON CONFLICT DO UPDATE cannot touch a row twice): the last change wins.
      pg.presence.run(jsonbRows([...new Map(changes.map((c) => [c.presence.pc_id, presenceParams(c.presence)])).values()]));
    } else {
      for (const c of changes) upsertPresence.run(presenceParams(c.presence));
    }
    insertEvents(changes.flatMap((c) => (c.event ? [c.event] : [])));
  });
  const prune = db.prepare(`DELETE FROM events WHERE event_id IN (SELECT event_id FROM events WHERE at < ? LIMIT ?)`);
  const presence = db.prepare(`SELECT pc_id, online, changed_at FROM agent_presence`);
  return {
    insertEvents: async (events) => (events.length ? insertAll(events) : 0),
    listEvents: async (opts) => {
      const w = where({ limit: opts.limit });
      const add = w.add;
      if (opts.pc) add("pc_id = @pc", { pc: opts.pc });
      if (opts.inPcs) add(`pc_id IN (${jsonTextValues(db.engine, "@in_pcs")})`, { in_pcs: JSON.stringify(opts.inPcs) });
      if (opts.kind) add("kind = @kind", { kind: opts.kind });
      if (opts.since) add("at >= @since", { since: opts.since });
      if (opts.until) add("at < @until", { until: opts.until });
      if (opts.after) add("(at, event_id) < (@a_at, @a_id)", { a_at: opts.after.at, a_id: opts.after.id });
      const sql = `SELECT * FROM events ${w.sql()} ORDER BY at DESC, event_id DESC LIMIT @limit`;
      return (db.prepare(sql).all(w.params) as EventRow[]).map(toEvent);
    },
    pruneBefore: async (before, batch) => prune.run(before, batch).changes,
    presence: async () =>
      new Map(
        (presence.all() as { pc_id: string; online: number; changed_at: string }[]).map((r) => [r.pc_id, { pc_id: r.pc_id, online: r.online === 1, changed_at: r.changed_at }]),
      ),
    recordTransitions: async (changes) => {
      // In chunks, each its own transaction, with other work let in between: tens of thousands of PCs coming online
      // at once (a fleet's first start, a broker back) would otherwise hold the backend for seconds in one call —
      // on PostgreSQL every statement is a round trip. A transition and its event stay in one transaction; a
      // crash between chunks leaves the rest to the next tick, and event ids are deterministic.
      for (let i = 0; i < changes.length; i += TRANSITIONS_PER_TRANSACTION) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        transitions(changes.slice(i, i + TRANSITIONS_PER_TRANSACTION));
      }
    },
  };
}

function toEvent(r: EventRow): TimelineEvent {
  const e: TimelineEvent = { event_id: r.event_id, pc_id: r.pc_id, kind: r.kind, at: r.at, received_at: r.received_at };
  for (const k of ["user", "source", "exec_id", "job_id", "name", "message"] as const) {
    const v = r[k];
    if (v !== null) e[k] = v;
  }
  if (r.data !== null) e.data = JSON.parse(r.data) as Record<string, unknown>;
  return e;
}
