import { openTestDatabase } from "@kanade/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlDatabase } from "../db/handle.js";
import { migrate } from "../db/migrations.js";
import { MAX_INTERVALS, openPresenceCandidates, type PresenceAgent } from "./presence-candidates.js";
import { presenceChanges } from "./presence.js";
import type { PresenceRecord } from "./store.js";

const NOW = new Date("2026-03-01T10:00:00.000Z");
const ago = (secs: number): string => new Date(NOW.getTime() - secs * 1000).toISOString();
const STARTED = new Date(NOW.getTime() - 3_600_000);

describe("presence candidates (read in the database)", () => {
  let db: SqlDatabase;
  beforeEach(() => {
    db = openTestDatabase();
    migrate(db);
  });
  afterEach(() => db.close());

  const agent = (pc: string, lastSeen: string, interval: number | null): void =>
    void db
      .prepare(
        `INSERT INTO agents (pc_id, hostname, os_family, os_version, agent_version, groups, last_seen, first_seen, heartbeat_interval_secs, agent_rss_bytes, agent_cpu_pct)
         VALUES (?, ?, 'windows', '11', '1.0.0', '[]', ?, ?, ?, 0, 0)`,
      )
      .run(pc, pc, lastSeen, lastSeen, interval);
  const recorded = (pc: string, online: boolean): void => void db.prepare("INSERT INTO agent_presence (pc_id, online, changed_at) VALUES (?, ?, ?)").run(pc, online ? 1 : 0, ago(600));

  /** What the tracker decided before: every agent against every recorded row. */
  const everything = (): { agents: PresenceAgent[]; recorded: Map<string, PresenceRecord> } => ({
    agents: (db.prepare("SELECT pc_id, last_seen, heartbeat_interval_secs FROM agents").all() as PresenceAgent[]).map((a) => ({
      ...a,
      heartbeat_interval_secs: a.heartbeat_interval_secs === null ? null : Number(a.heartbeat_interval_secs),
    })),
    recorded: new Map(
      (db.prepare("SELECT pc_id, online, changed_at FROM agent_presence").all() as { pc_id: string; online: number; changed_at: string }[]).map((r) => [
        r.pc_id,
        { pc_id: r.pc_id, online: Number(r.online) === 1, changed_at: r.changed_at },
      ]),
    ),
  });
  const byPc = <T extends { presence: { pc_id: string } }>(xs: T[]): T[] => [...xs].sort((a, b) => a.presence.pc_id.localeCompare(b.presence.pc_id));

  it("are the PCs never recorded and those whose heartbeats now say otherwise, and only those", async () => {
    agent("new-online", ago(5), 10);
    agent("still-online", ago(5), 10);
    recorded("still-online", true);
    agent("went-offline", ago(31), 10);
    recorded("went-offline", true);
    agent("still-offline", ago(300), 10);
    recorded("still-offline", false);
    agent("came-back", ago(1), 10);
    recorded("came-back", false);
    // No interval reported: 30 s, so 60 s ago is still online.
    agent("default-online", ago(60), null);
    recorded("default-online", true);
    agent("default-offline", ago(91), null);
    recorded("default-offline", true);
    // Exactly 3× the interval ago counts as online (agents/online.ts).
    agent("on-the-edge", ago(30), 10);
    recorded("on-the-edge", true);

    const c = await openPresenceCandidates(db)(NOW);
    expect(c.agents.map((a) => a.pc_id).sort()).toEqual(["came-back", "default-offline", "new-online", "went-offline"]);
    expect(c.recorded.get("went-offline")).toEqual({ pc_id: "went-offline", online: true, changed_at: ago(600) });
    expect(c.recorded.has("new-online")).toBe(false);
    expect(presenceChanges(c.agents, c.recorded, NOW, STARTED).map((x) => `${x.presence.pc_id}:${x.event?.kind}`).sort()).toEqual([
      "came-back:agent_online",
      "default-offline:agent_offline",
      "new-online:agent_online",
      "went-offline:agent_offline",
    ]);
  });

  it("lead to the same transitions as reading every agent, over a mixed fleet", async () => {
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const intervals = [null, 10, 30, 60, 2.5];
    for (let i = 0; i < 300; i++) {
      const pc = `pc-${String(i).padStart(3, "0")}`;
      agent(pc, ago(rnd(400)), intervals[rnd(intervals.length)]!);
      const r = rnd(3);
      if (r < 2) recorded(pc, r === 1);
    }
    const c = await openPresenceCandidates(db)(NOW);
    const all = everything();
    const expected = byPc(presenceChanges(all.agents, all.recorded, NOW, STARTED));
    expect(expected.length).toBeGreaterThan(50);
    expect(c.agents.length).toBeLessThan(all.agents.length);
    expect(byPc(presenceChanges(c.agents, c.recorded, NOW, STARTED))).toEqual(expected);
  });

  it(`read every agent when more than ${MAX_INTERVALS} intervals are reported, with the same outcome`, async () => {
    for (let i = 0; i <= MAX_INTERVALS + 1; i++) {
      agent(`pc-${i}-on`, ago(i), 5 + i);
      recorded(`pc-${i}-on`, true);
      agent(`pc-${i}-off`, ago(1_000), 5 + i);
      recorded(`pc-${i}-off`, true);
    }
    const c = await openPresenceCandidates(db)(NOW);
    expect(c.agents).toHaveLength(2 * (MAX_INTERVALS + 2));
    const all = everything();
    expect(byPc(presenceChanges(c.agents, c.recorded, NOW, STARTED))).toEqual(byPc(presenceChanges(all.agents, all.recorded, NOW, STARTED)));
    expect(presenceChanges(c.agents, c.recorded, NOW, STARTED).filter((x) => x.event?.kind === "agent_offline")).toHaveLength(MAX_INTERVALS + 2);
  });
});
