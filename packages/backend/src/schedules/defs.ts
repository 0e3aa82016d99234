/**
 * Schedule definitions in the `schedules` KV bucket (id → `{schedule, yaml}`), mirrored in memory through a KV
 * watch so the firing loop reads every schedule without a round trip. A stored value that no longer validates
 * is logged and left out: it never fires.
 */
import { Kvm, type KV } from "@nats-io/kv";
import { BUCKETS, storedScheduleSchema, type StoredSchedule } from "@kanade/protocol";
import type { Logger } from "pino";
import { live } from "../jobs/catalog.js";
import type { Nats } from "../nats.js";

export interface ScheduleDefs {
  /** Writes the schedule; `created` is false when it replaced one. */
  put(value: StoredSchedule): Promise<{ created: boolean }>;
  /** Read from KV (authoritative). */
  get(id: string): Promise<StoredSchedule | undefined>;
  remove(id: string): Promise<boolean>;
  /** Every valid schedule, from the mirror, by id. */
  all(): StoredSchedule[];
  stop(): Promise<void>;
}

export async function openScheduleDefs(nats: Nats, log: Logger): Promise<ScheduleDefs> {
  const kv: KV = await new Kvm(nats.js).open(BUCKETS.schedules);
  const byId = new Map<string, StoredSchedule>();
  const decode = (id: string, read: () => unknown): StoredSchedule | undefined => {
    let value: unknown;
    try {
      value = read();
    } catch (err) {
      log.warn({ schedule_id: id, err }, "schedules entry is not JSON; it will not fire");
      return undefined;
    }
    const r = storedScheduleSchema.safeParse(value);
    if (!r.success) {
      log.warn({ schedule_id: id, problem: r.error.message }, "schedules entry no longer validates; it will not fire");
      return undefined;
    }
    return r.data;
  };

  const watcher = await kv.watch();
  let ready: () => void = () => undefined;
  const initialized = new Promise<void>((resolve) => (ready = resolve));
  const watching = (async () => {
    for await (const e of watcher) {
      const value = e.operation === "PUT" ? decode(e.key, () => e.json<unknown>()) : undefined;
      if (value) byId.set(e.key, value);
      else byId.delete(e.key);
      if (e.isUpdate === false && e.delta === 0) ready();
    }
  })().catch((err: unknown) => log.error({ err }, "schedules watch ended"));
  // An empty bucket yields no initial entries; don't wait on a marker that never comes.
  if ((await kv.status()).values === 0) ready();
  await Promise.race([initialized, new Promise((r) => setTimeout(r, 5_000))]);

  return {
    put: async (value) => {
      const id = value.schedule.id;
      const created = live(await kv.get(id)) === undefined;
      await kv.put(id, JSON.stringify(value));
      // Read-your-writes: the watch confirms shortly, but a list right after must show it.
      byId.set(id, value);
      return { created };
    },
    get: async (id) => {
      const e = live(await kv.get(id));
      return e ? decode(id, () => e.json<unknown>()) : undefined;
    },
    remove: async (id) => {
      if (!live(await kv.get(id))) return false;
      await kv.delete(id);
      byId.delete(id);
      return true;
    },
    all: () => [...byId.values()].sort((a, b) => a.schedule.id.localeCompare(b.schedule.id)),
    stop: async () => {
      watcher.stop();
      await watching;
    },
  };
}
