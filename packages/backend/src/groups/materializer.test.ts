/**
 * The materializer's bookkeeping with an in-memory membership store (the KV side is covered end to end in
 * test/dynamic-groups.test.ts): what triggers a re-evaluation, what is written, and the last_seen sweep.
 */
import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { waitFor } from "@kanade/testkit";
import type { GroupDefinition, Heartbeat, PcFacts } from "@kanade/protocol";
import type { AgentGroups } from "../agent-groups.js";
import { createMaterializer } from "./materializer.js";

const DAY = 86_400_000;

function memoryGroups(): AgentGroups & { writes: string[]; entries: Map<string, { static: string[]; dynamic: string[] }> } {
  const entries = new Map<string, { static: string[]; dynamic: string[] }>();
  const writes: string[] = [];
  const union = (pc: string): string[] => [...new Set([...(entries.get(pc)?.static ?? []), ...(entries.get(pc)?.dynamic ?? [])])].sort();
  return {
    writes,
    entries,
    get: async (pc) => union(pc),
    set: async (pc, groups) => {
      entries.set(pc, { static: [...groups], dynamic: entries.get(pc)?.dynamic ?? [] });
      return union(pc);
    },
    update: async (pc, change) => {
      entries.set(pc, { static: change(entries.get(pc)?.static ?? []), dynamic: entries.get(pc)?.dynamic ?? [] });
      return union(pc);
    },
    setDynamic: async (pc, dynamic) => {
      const before = entries.get(pc)?.dynamic ?? [];
      if (before.join() === [...dynamic].sort().join()) return false;
      entries.set(pc, { static: entries.get(pc)?.static ?? [], dynamic: [...dynamic].sort() });
      writes.push(pc);
      return true;
    },
    split: (pc) => entries.get(pc),
    pcs: () => [...entries.keys()],
    members: (g) => [...entries.keys()].filter((pc) => union(pc).includes(g)).sort(),
    all: () => new Map(),
    cached: (pc) => (entries.has(pc) ? union(pc) : undefined),
    stop: async () => undefined,
  };
}

const facts = (pc: string, over: Partial<PcFacts> = {}): PcFacts => ({ pc_id: pc, hostname: pc, agent_version: "1.0.0", last_seen_ms: 0, inventory: {}, apps: [], tags: {}, facts: {}, ...over });
const hb = (pc: string, over: Partial<Heartbeat> = {}): Heartbeat =>
  ({ pc_id: pc, at: new Date().toISOString(), agent_version: "1.0.0", hostname: pc, os_family: "windows", os_version: "10.0", boot_time: null, agent_rss_bytes: 1, agent_cpu_pct: 0, groups: [], ...over }) as Heartbeat;
const def = (name: string, query: string): GroupDefinition => ({ name, query, description: null, updated_by: null, updated_at: "2026-01-01T00:00:00Z" });

function setup(defs: GroupDefinition[], fleet: Map<string, PcFacts>, now: { ms: number }) {
  const groups = memoryGroups();
  const loads: (readonly string[] | undefined)[] = [];
  const m = createMaterializer({
    definitions: () => defs,
    loadFacts: (pcs) => {
      loads.push(pcs);
      return [...fleet.values()].filter((f) => pcs === undefined || pcs.includes(f.pc_id));
    },
    groups,
    log: pino({ level: "silent" }),
    clock: () => new Date(now.ms),
    debounceMs: 5,
    sweepMs: 20,
  });
  return { m, groups, loads };
}

describe("materializer", () => {
  it("writes only PCs whose dynamic groups change, and never touches static groups", async () => {
    const fleet = new Map([["a", facts("a", { tags: { site: "osaka" } })], ["b", facts("b")]]);
    const { m, groups } = setup([def("osaka", "tag.site = osaka")], fleet, { ms: 0 });
    groups.entries.set("b", { static: ["keep"], dynamic: [] });
    m.reload();
    await m.idle();
    expect(groups.writes).toEqual(["a"]);
    fleet.set("b", facts("b", { tags: { site: "osaka" } }));
    m.touched(["a", "b"], "tags");
    await m.idle();
    expect(groups.writes).toEqual(["a", "b"]);
    expect(groups.entries.get("b")).toEqual({ static: ["keep"], dynamic: ["osaka"] });
    await m.stop();
  });

  it("ignores changes no query looks at, and heartbeats that change nothing it reads", async () => {
    const fleet = new Map([["a", facts("a", { tags: { site: "osaka" } })]]);
    const { m, loads } = setup([def("osaka", "tag.site = osaka")], fleet, { ms: 0 });
    m.reload();
    await m.idle();
    const before = loads.length;
    m.touched(["a"], "inventory");
    m.touched(["a"], "jobFacts");
    m.heartbeats([hb("a")]); // first heartbeat of a PC: evaluated once
    await m.idle();
    expect(loads.length).toBe(before + 1);
    m.heartbeats([hb("a")]); // the same again: nothing
    await m.idle();
    expect(loads.length).toBe(before + 1);
    m.heartbeats([hb("a", { agent_version: "2.0.0" })]);
    await m.idle();
    expect(loads.length).toBe(before + 2);
    expect(loads.at(-1)).toEqual(["a"]);
    await m.stop();
  });

  it("re-evaluates last_seen queries as time passes, without any event", async () => {
    const now = { ms: 10 * DAY };
    const fleet = new Map([["a", facts("a", { last_seen_ms: 9 * DAY })]]);
    const { m, groups } = setup([def("stale", "last_seen > 7d")], fleet, now);
    m.reload();
    await m.idle();
    expect(groups.entries.get("a")?.dynamic ?? []).toEqual([]);
    now.ms = 17 * DAY;
    // No event at all: only the sweep can move it.
    await waitFor(() => groups.entries.get("a")?.dynamic.includes("stale") || undefined, { what: "the sweep to add the stale PC" });
    await m.stop();
  });

  it("a PC the backend forgot leaves its dynamic groups; preview reads every PC", async () => {
    const fleet = new Map([["a", facts("a", { tags: { site: "osaka" } })], ["b", facts("b", { tags: { site: "osaka" } })]]);
    const { m, groups } = setup([def("osaka", "tag.site = osaka")], fleet, { ms: 0 });
    m.reload();
    await m.idle();
    expect(m.matches("tag.site = osaka and pc_id ~ b")).toEqual(["b"]);
    fleet.delete("a");
    m.touched(["a"], "tags");
    await m.idle();
    expect(groups.entries.get("a")?.dynamic).toEqual([]);
    expect(groups.entries.get("b")?.dynamic).toEqual(["osaka"]);
    await m.stop();
  });
});
