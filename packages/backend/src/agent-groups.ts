/** Group membership (KV `agent_groups`), mirrored in memory via a KV watch so fan-out lookups are instant. */
import { Kvm, type KV } from "@nats-io/kv";
import { BUCKETS, agentGroupsSchema, normalizeGroups } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Nats } from "./nats.js";
import { live } from "./jobs/catalog.js";

export interface AgentGroups {
  /** Groups of one PC, read from KV (authoritative, not the mirror). */
  get(pcId: string): Promise<string[]>;
  /** Writes the PC's full group list (sorted, deduplicated) and returns it. */
  set(pcId: string, groups: readonly string[]): Promise<string[]>;
  /** Read-modify-write with a compare-and-set on the KV revision, so concurrent edits are not lost. */
  update(pcId: string, change: (groups: string[]) => string[]): Promise<string[]>;
  /** Members of a group, from the mirror. */
  members(group: string): string[];
  /** Every group with its members, from the mirror. */
  all(): Map<string, string[]>;
  /** Groups of one PC from the mirror (undefined when KV has no entry). */
  cached(pcId: string): string[] | undefined;
  stop(): Promise<void>;
}

export async function openAgentGroups(nats: Nats, log: Logger): Promise<AgentGroups> {
  const kv: KV = await new Kvm(nats.js).open(BUCKETS.agentGroups);
  const byPc = new Map<string, string[]>();

  const decode = (pcId: string, value: unknown): string[] | undefined => {
    const r = agentGroupsSchema.safeParse(value);
    if (!r.success) {
      log.warn({ pc_id: pcId, problem: r.error.message }, "ignoring invalid agent_groups entry");
      return undefined;
    }
    return normalizeGroups(r.data.groups);
  };

  const watcher = await kv.watch();
  let ready: () => void = () => undefined;
  const initialized = new Promise<void>((resolve) => (ready = resolve));
  const watching = (async () => {
    for await (const e of watcher) {
      if (e.operation === "PUT") {
        let value: unknown;
        try {
          value = e.json<unknown>();
        } catch (err) {
          log.warn({ pc_id: e.key, err }, "agent_groups entry is not JSON");
          value = undefined;
        }
        const groups = decode(e.key, value);
        if (groups) byPc.set(e.key, groups);
        else byPc.delete(e.key);
      } else {
        byPc.delete(e.key);
      }
      if (e.isUpdate === false && e.delta === 0) ready();
    }
  })().catch((err: unknown) => log.error({ err }, "agent_groups watch ended"));
  // An empty bucket yields no initial entries; don't wait on a marker that never comes.
  const status = await kv.status();
  if (status.values === 0) ready();
  await Promise.race([initialized, new Promise((r) => setTimeout(r, 5_000))]);

  const read = async (pcId: string): Promise<{ groups: string[]; revision: number }> => {
    const e = live(await kv.get(pcId));
    if (!e) return { groups: [], revision: 0 };
    return { groups: decode(pcId, e.json<unknown>()) ?? [], revision: e.revision };
  };
  const write = async (pcId: string, groups: readonly string[], revision?: number): Promise<string[]> => {
    const norm = normalizeGroups(groups);
    const body = JSON.stringify({ groups: norm });
    if (revision === undefined) await kv.put(pcId, body);
    else if (revision === 0) await kv.create(pcId, body);
    else await kv.update(pcId, body, revision);
    // Read-your-writes: the watch will confirm shortly, but the caller may list groups right away.
    byPc.set(pcId, norm);
    return norm;
  };

  return {
    get: async (pcId) => (await read(pcId)).groups,
    set: (pcId, groups) => write(pcId, groups),
    update: async (pcId, change) => {
      for (let attempt = 0; ; attempt++) {
        const { groups, revision } = await read(pcId);
        try {
          return await write(pcId, change(groups), revision);
        } catch (err) {
          if (attempt >= 3) throw err;
          log.debug({ pc_id: pcId, err }, "agent_groups changed concurrently; retrying");
        }
      }
    },
    members: (group) => [...byPc].filter(([, gs]) => gs.includes(group)).map(([pc]) => pc).sort(),
    all: () => {
      const out = new Map<string, string[]>();
      for (const [pc, gs] of byPc) for (const g of gs) out.set(g, [...(out.get(g) ?? []), pc]);
      for (const members of out.values()) members.sort();
      return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
    },
    cached: (pcId) => byPc.get(pcId),
    stop: async () => {
      watcher.stop();
      await watching;
    },
  };
}
