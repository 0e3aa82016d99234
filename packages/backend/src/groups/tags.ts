/**
 * Operator-set tags: KV `agent_tags` is the truth (changed only by compare-and-set on the revision), mirrored
 * in memory by a watch and projected into SQLite (`agent_tags`) for listing and filtering agents by tag.
 */
import { Kvm, type KV } from "@nats-io/kv";
import { BUCKETS, KanadeError, MAX_TAGS_PER_PC, agentTagsSchema, type TagChange } from "@kanade/protocol";
import type { Logger } from "pino";
import type { SqlDatabase } from "../db/database.js";
import { live } from "../jobs/catalog.js";
import { followKv } from "../kv-mirror.js";
import type { Nats } from "../nats.js";

export type Tags = Record<string, string>;

export interface AgentTags {
  /** A PC's tags and the KV revision they are at (0 = never tagged), read from KV. */
  get(pcId: string): Promise<{ tags: Tags; revision: number }>;
  /**
   * Sets and removes keys. With `expected_revision` the change applies only at that revision, else a
   * CONFLICT naming what changed; without it the change is retried on whatever is current.
   */
  change(pcId: string, change: TagChange): Promise<{ tags: Tags; revision: number; changed: boolean }>;
  /** Tags of a PC from the mirror. */
  cached(pcId: string): Tags | undefined;
  /** PCs with the tag (any value when `value` is undefined), from the SQLite projection. */
  pcsWith(key: string, value?: string): Set<string>;
  stop(): Promise<void>;
}

const sameTags = (a: Tags, b: Tags): boolean => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

function applyChange(tags: Tags, change: Pick<TagChange, "set" | "remove">): Tags {
  const out: Tags = { ...tags };
  for (const k of change.remove) delete out[k];
  Object.assign(out, change.set);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export async function openAgentTags(deps: { nats: Nats; db: SqlDatabase; log: Logger; onChange?: (pcId: string) => void }): Promise<AgentTags> {
  const { db, log } = deps;
  const kv: KV = await new Kvm(deps.nats.js).open(BUCKETS.agentTags);
  const byPc = new Map<string, Tags>();
  const revisions = new Map<string, number>();
  const st = {
    clear: db.prepare("DELETE FROM agent_tags WHERE pc_id = ?"),
    insert: db.prepare("INSERT INTO agent_tags (pc_id, key, value) VALUES (?, ?, ?)"),
    withKey: db.prepare("SELECT pc_id FROM agent_tags WHERE key = ?").pluck(),
    withKeyValue: db.prepare("SELECT pc_id FROM agent_tags WHERE key = ? AND value = ?").pluck(),
  };
  const project = db.transaction((pcId: string, tags: Tags | undefined) => {
    st.clear.run(pcId);
    for (const [k, v] of Object.entries(tags ?? {})) st.insert.run(pcId, k, v);
  });
  /** The watch may deliver an older revision after our own write: the mirror keeps the newest. */
  const remember = (pcId: string, tags: Tags | undefined, revision: number): void => {
    if ((revisions.get(pcId) ?? 0) > revision) return;
    revisions.set(pcId, revision);
    const before = byPc.get(pcId);
    if (tags && Object.keys(tags).length > 0) byPc.set(pcId, tags);
    else byPc.delete(pcId);
    if (sameTags(before ?? {}, tags ?? {})) return;
    project(pcId, tags);
    deps.onChange?.(pcId);
  };
  const decode = (pcId: string, value: unknown): Tags | undefined => {
    const r = agentTagsSchema.safeParse(value);
    if (r.success) return r.data.tags;
    log.warn({ pc_id: pcId, problem: r.error.message }, "ignoring invalid agent_tags entry");
    return undefined;
  };

  // The projection is rebuilt from KV at every start: KV is the truth, SQLite only serves lists.
  db.exec("DELETE FROM agent_tags");
  const follower = await followKv(kv, BUCKETS.agentTags, log, (key, value, revision) => remember(key, value === undefined ? undefined : decode(key, value), revision));

  const read = async (pcId: string): Promise<{ tags: Tags; revision: number }> => {
    const e = live(await kv.get(pcId));
    if (!e) return { tags: {}, revision: 0 };
    return { tags: decode(pcId, e.json<unknown>()) ?? {}, revision: e.revision };
  };
  const write = async (pcId: string, tags: Tags, revision: number): Promise<number> => {
    const body = JSON.stringify({ tags });
    const rev = revision === 0 ? await kv.create(pcId, body) : await kv.update(pcId, body, revision);
    remember(pcId, tags, rev);
    return rev;
  };
  const conflict = (pcId: string, saw: number, now: { tags: Tags; revision: number }): KanadeError =>
    new KanadeError("CONFLICT", `the tags of ${pcId} were changed by someone else (revision ${now.revision}, you saw ${saw}); they are now ${JSON.stringify(now.tags)}`, {
      details: [{ path: "expected_revision", message: `expected ${saw}, current ${now.revision}` }],
    });

  return {
    get: read,
    change: async (pcId, change) => {
      for (let attempt = 0; ; attempt++) {
        // Without an expected revision the mirror saves a read: if it is behind, the update fails and we read.
        const rev = change.expected_revision === undefined && attempt === 0 ? revisions.get(pcId) : undefined;
        const current = rev !== undefined && byPc.has(pcId) ? { tags: byPc.get(pcId)!, revision: rev } : await read(pcId);
        if (change.expected_revision !== undefined && change.expected_revision !== current.revision) throw conflict(pcId, change.expected_revision, current);
        const next = applyChange(current.tags, change);
        // "Nothing to change" is decided on a fresh read, not on the mirror.
        if (sameTags(next, current.tags) && rev !== undefined) continue;
        if (sameTags(next, current.tags)) return { ...current, changed: false };
        if (Object.keys(next).length > MAX_TAGS_PER_PC) throw new KanadeError("BAD_REQUEST", `a PC has at most ${MAX_TAGS_PER_PC} tags; ${pcId} would have ${Object.keys(next).length}`, { details: [{ path: "set", message: `at most ${MAX_TAGS_PER_PC} tags per PC` }] });
        try {
          return { tags: next, revision: await write(pcId, next, current.revision), changed: true };
        } catch (err) {
          const now = await read(pcId);
          if (now.revision === current.revision) throw err;
          if (change.expected_revision !== undefined) throw conflict(pcId, change.expected_revision, now);
          if (attempt >= 5) throw err;
          log.debug({ pc_id: pcId }, "agent_tags changed concurrently; retrying a change with no expected revision");
        }
      }
    },
    cached: (pcId) => byPc.get(pcId),
    pcsWith: (key, value) => new Set((value === undefined ? st.withKey.all(key) : st.withKeyValue.all(key, value)) as string[]),
    stop: () => follower.stop(),
  };
}
