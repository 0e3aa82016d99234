/** Group membership (KV `agent_groups`), mirrored in memory via a KV watch so fan-out lookups are instant. */
import { Kvm, type KV } from "@nats-io/kv";
import { BUCKETS, agentGroupsSchema, normalizeGroups } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Nats } from "./nats.js";
import { live } from "./jobs/catalog.js";
import { followKv } from "./kv-mirror.js";

export interface AgentGroups {
  /** Groups of one PC, read from KV (authoritative, not the mirror). */
  get(pcId: string): Promise<string[]>;
  /** Replaces the PC's static groups (dynamic ones stay) and returns all its groups. */
  set(pcId: string, groups: readonly string[]): Promise<string[]>;
  /**
   * Read-modify-write of the PC's static groups with a compare-and-set on the KV revision, so concurrent edits
   * are not lost; dynamic groups stay. Returns every group of the PC (static ∪ dynamic).
   */
  update(pcId: string, change: (staticGroups: string[]) => string[]): Promise<string[]>;
  /** Replaces the PC's dynamic groups (static ones stay); writes nothing and returns false when they are unchanged. */
  setDynamic(pcId: string, dynamic: readonly string[]): Promise<boolean>;
  /** The PC's static and dynamic groups apart, from the mirror. */
  split(pcId: string): { static: string[]; dynamic: string[] } | undefined;
  /** Every PC with an entry in the mirror. */
  pcs(): string[];
  /** Members of a group, from the mirror. */
  members(group: string): string[];
  /** Every group with its members, from the mirror. */
  all(): Map<string, string[]>;
  /** Groups of one PC from the mirror (undefined when KV has no entry). */
  cached(pcId: string): string[] | undefined;
  stop(): Promise<void>;
}

interface Parts {
  groups: string[];
  static: string[];
  dynamic: string[];
}

export async function openAgentGroups(nats: Nats, log: Logger): Promise<AgentGroups> {
  const kv: KV = await new Kvm(nats.js).open(BUCKETS.agentGroups);
  const byPc = new Map<string, string[]>();
  const parts = new Map<string, Parts & { revision: number }>();

  const decode = (pcId: string, value: unknown): Parts | undefined => {
    const r = agentGroupsSchema.safeParse(value);
    if (!r.success) {
      log.warn({ pc_id: pcId, problem: r.error.message }, "ignoring invalid agent_groups entry");
      return undefined;
    }
    const dynamic = normalizeGroups(r.data.dynamic ?? []);
    // Written before dynamic groups (or by hand): whatever is not known to be dynamic is static.
    const stat = normalizeGroups(r.data.static ?? r.data.groups.filter((g) => !dynamic.includes(g)));
    return { groups: normalizeGroups(r.data.groups), static: stat, dynamic };
  };
  /** Keeps the mirror at the newest revision seen: the watch may deliver an older one after our own write. */
  const remember = (pcId: string, p: Parts | undefined, revision: number): void => {
    if ((parts.get(pcId)?.revision ?? 0) > revision) return;
    if (p) {
      byPc.set(pcId, p.groups);
      parts.set(pcId, { ...p, revision });
    } else {
      byPc.delete(pcId);
      parts.delete(pcId);
    }
  };

  const follower = await followKv(kv, BUCKETS.agentGroups, log, (key, value, revision) => remember(key, value === undefined ? undefined : decode(key, value), revision));

  const read = async (pcId: string): Promise<Parts & { revision: number }> => {
    const e = live(await kv.get(pcId));
    if (!e) return { groups: [], static: [], dynamic: [], revision: 0 };
    return { ...(decode(pcId, e.json<unknown>()) ?? { groups: [], static: [], dynamic: [] }), revision: e.revision };
  };
  const write = async (pcId: string, stat: readonly string[], dynamic: readonly string[], revision?: number): Promise<string[]> => {
    const p: Parts = { groups: normalizeGroups([...stat, ...dynamic]), static: normalizeGroups(stat), dynamic: normalizeGroups(dynamic) };
    const body = JSON.stringify(p);
    const rev = revision === undefined ? await kv.put(pcId, body) : revision === 0 ? await kv.create(pcId, body) : await kv.update(pcId, body, revision);
    // Read-your-writes: the watch will confirm shortly, but the caller may list groups right away.
    remember(pcId, p, rev);
    return p.groups;
  };
  /** Compare-and-set, retried a few times when someone else wrote in between. */
  const casLoop = async <T>(
    pcId: string,
    step: (current: Parts & { revision: number }) => Promise<T>,
    trustMirror: (cached: Parts) => boolean = () => false,
  ): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      // The mirror saves a read per write when it is current; when it is not, the update fails and we read.
      const cached = attempt === 0 ? parts.get(pcId) : undefined;
      const current = cached && trustMirror(cached) ? cached : await read(pcId);
      try {
        return await step(current);
      } catch (err) {
        if (attempt >= 5) throw err;
        log.debug({ pc_id: pcId, err }, "agent_groups changed concurrently; retrying");
      }
    }
  };

  return {
    get: async (pcId) => (await read(pcId)).groups,
    set: (pcId, groups) => casLoop(pcId, (c) => write(pcId, groups, c.dynamic, c.revision)),
    update: (pcId, change) => casLoop(pcId, (c) => write(pcId, change(c.static), c.dynamic, c.revision)),
    setDynamic: (pcId, dynamic) => {
      const want = normalizeGroups(dynamic);
      const same = (p: Parts): boolean => want.join("\n") === p.dynamic.join("\n");
      return casLoop(pcId, async (c) => {
        if (same(c)) {
          // Already right in KV; heal a mirror that lagged behind.
          remember(pcId, c.revision === 0 ? undefined : c, c.revision);
          return false;
        }
        await write(pcId, c.static, want, c.revision);
        return true;
        // A mirror that already agrees is not trusted: "nothing to write" is decided on a fresh read.
      }, (cached) => !same(cached));
    },
    split: (pcId) => {
      const p = parts.get(pcId);
      return p ? { static: p.static, dynamic: p.dynamic } : undefined;
    },
    pcs: () => [...byPc.keys()],
    members: (group) => [...byPc].filter(([, gs]) => gs.includes(group)).map(([pc]) => pc).sort(),
    all: () => {
      const out = new Map<string, string[]>();
      for (const [pc, gs] of byPc) for (const g of gs) out.set(g, [...(out.get(g) ?? []), pc]);
      for (const members of out.values()) members.sort();
      return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
    },
    cached: (pcId) => byPc.get(pcId),
    stop: () => follower.stop(),
  };
}
