import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, sampleHeartbeat } from "@kanade/testkit";
import { migrate } from "../db/migrations.js";
import type { SqlDatabase, SqlEngine } from "../db/handle.js";
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
});
