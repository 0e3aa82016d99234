import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, sampleHeartbeat } from "@kanade/testkit";
import { migrate } from "../db/migrations.js";
import type { SqlDatabase, SqlEngine } from "../db/handle.js";
import { isOnline } from "./online.js";
import { openAgentsStore, type AgentsStore } from "./store.js";

// Heartbeats go in one by one on SQLite and as one statement per batch on PostgreSQL: the same rows either way.
describe.each(["sqlite", "postgres"] as SqlEngine[])("agents store on %s", (engine) => {
  let db: SqlDatabase;
  let store: AgentsStore;
  beforeEach(() => {
    db = openTestDatabase(engine);
    migrate(db);
    store = openAgentsStore(db);
  });
  afterEach(() => db.close());

  it("stores a batch of heartbeats: new PCs, an update keeping first_seen and client_version, the last of two for one PC", async () => {
    await store.upsertAgents([sampleHeartbeat("pc-a", { at: "2026-01-01T00:00:00.000Z", client_version: "1.0.0" }), sampleHeartbeat("pc-b", { at: "2026-01-01T00:00:00.000Z" })]);
    await store.upsertAgents([
      sampleHeartbeat("pc-a", { at: "2026-01-01T00:01:00.000Z", hostname: "first.corp" }),
      sampleHeartbeat("pc-a", { at: "2026-01-01T00:02:00.000Z", hostname: "renamed\u0000.corp", agent_cpu_pct: 1.5, groups: ["lab"] }),
      sampleHeartbeat("pc-c", { at: "2026-01-01T00:02:00.000Z", heartbeat_interval_secs: 30 }),
    ]);
    const a = await store.getAgent("pc-a");
    expect(a).toMatchObject({
      last_seen: "2026-01-01T00:02:00.000Z",
      first_seen: "2026-01-01T00:00:00.000Z",
      hostname: engine === "sqlite" ? "renamed\u0000.corp" : "renamed\uFFFD.corp",
      agent_cpu_pct: 1.5,
      groups: ["lab"],
      client_version: "1.0.0",
    });
    expect(await store.getAgent("pc-c")).toMatchObject({ heartbeat_interval_secs: 30, first_seen: "2026-01-01T00:02:00.000Z" });
    expect(await store.agentIds()).toEqual(["pc-a", "pc-b", "pc-c"]);
  });
  it("counts agents and those online as isOnline judges each, per reported interval, within the filters", async () => {
    const now = new Date("2026-01-01T01:00:00.000Z");
    const ago = (secs: number): string => new Date(now.getTime() - secs * 1000).toISOString();
    const fleet = [
      // [pc, seconds since its last heartbeat, reported interval]
      ["pc-1", 5, 10], ["pc-2", 30, 10], ["pc-3", 31, 10], ["pc-4", 89, undefined], ["pc-5", 91, undefined],
      ["pc-6", 170, 60], ["pc-7", 200, 60], ["pc-8", 7, 2.5], ["pc-9", 8, 2.5], ["pc-10", 4_000, 30],
    ] as const;
    await store.upsertAgents(fleet.map(([pc, secs, interval]) => ({ ...sampleHeartbeat(pc, { at: ago(secs) }), heartbeat_interval_secs: interval })));
    const all = await store.listAgents();
    const expected = (keep: (pc: string, lastSeen: string) => boolean) => {
      const kept = all.filter((a) => keep(a.pc_id, a.last_seen));
      return { total: kept.length, online: kept.filter((a) => isOnline(a, now)).length };
    };
    expect(await store.countOnline({ now })).toEqual(expected(() => true));
    expect(await store.countOnline({ now })).toEqual({ total: 10, online: 5 });
    const seenSince = ago(100);
    expect(await store.countOnline({ now, seenSince })).toEqual(expected((_pc, seen) => seen >= seenSince));
    const inPcs = ["pc-1", "pc-3", "pc-5", "pc-9", "pc-none"];
    expect(await store.countOnline({ now, inPcs })).toEqual(expected((pc) => inPcs.includes(pc)));
    expect(await store.countOnline({ now, inPcs: [] })).toEqual({ total: 0, online: 0 });
  });
});
