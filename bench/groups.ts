/**
 * Dynamic groups bench: N simulated agents (default 5,000), G dynamic groups (default 20) over tags and
 * pc_id, against a real nats-server and a real backend process. One bulk tag change (every PC gets
 * site=osaka) → the time until KV `agent_groups` (what the agents watch) reflects every group's new
 * members, the number of entries rewritten, and the backend's CPU over that window. Prints one JSON line.
 *
 *   npm run bench:groups
 *   BENCH_AGENTS=500 BENCH_GROUPS=10 npm run bench:groups
 */
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { BUCKETS, agentGroupsSchema, evaluateGroupQuery, parseGroupQuery, type PcFacts } from "@kanade/protocol";
import { cpuSeconds, memKiB, waitAgentsOnline, withBackend } from "./lib.js";

const N = Number(process.env.BENCH_AGENTS ?? 5_000);
const G = Number(process.env.BENCH_GROUPS ?? 20);
const SITES = ["tokyo", "nagoya", "fukuoka", "sapporo", "sendai"];
const TOKEN = "bench-token-0123456789abcdef-0123456789";

/** A mix of what operators write: one tag, two tags, negations, or-ed sites, text on the pc_id. */
function queries(count: number): { name: string; query: string }[] {
  const shapes = [
    (i: number) => `tag.site = "${i % 2 ? "osaka" : SITES[i % SITES.length]}"`,
    (i: number) => `tag.site = "${SITES[i % SITES.length]}" and tag.tier = "${i % 3 === 0 ? "gold" : "silver"}"`,
    (i: number) => `not tag.site = "${SITES[(i + 1) % SITES.length]}"`,
    (i: number) => `tag.site = "osaka" and pc_id ~ "${i % 10}"`,
    (i: number) => `(tag.site = "${SITES[i % SITES.length]}" or tag.site = "${SITES[(i + 2) % SITES.length]}") and not tag.tier = "gold"`,
  ];
  return Array.from({ length: count }, (_, i) => ({ name: `bench-g${String(i).padStart(2, "0")}`, query: shapes[i % shapes.length]!(i) }));
}

await withBackend("kanade-bench-groups-", TOKEN, async ({ nats, api, backend, simulate }) => {
  const nc = await connect({ servers: nats.url, name: "bench-groups" });
  try {
    simulate(N, ["--heartbeat-interval", "30s"]);
    await waitAgentsOnline(api, N, { timeoutMs: 600_000, intervalMs: 1_000 });
    const pcs = (await api<{ items: { pc_id: string; agent_version: string | null }[] }>("GET", "/api/agents")).items;
    const tags = new Map<string, Record<string, string>>();
    // Starting tags: PCs spread over five sites and two tiers, set site by site in bulk.
    for (const [s, site] of SITES.entries()) {
      const ids = pcs.filter((_, i) => i % SITES.length === s).map((p) => p.pc_id);
      await api("POST", "/api/tags", { pcs: ids, set: { site } });
      for (const pc of ids) tags.set(pc, { site });
    }
    const gold = pcs.filter((_, i) => i % 3 === 0).map((p) => p.pc_id);
    await api("POST", "/api/tags", { pcs: gold, set: { tier: "gold" } });
    for (const pc of gold) tags.set(pc, { ...tags.get(pc), tier: "gold" });
    const defs = queries(G);
    for (const d of defs) await api("PUT", `/api/groups/${d.name}`, { query: d.query });

    // What every PC's dynamic groups must be, evaluated here with the same evaluator over the known tags.
    const expected = (): Map<string, string> => {
      const compiled = defs.map((d) => ({ name: d.name, node: parseGroupQuery(d.query) }));
      const now = Date.now();
      return new Map(
        pcs.map((p) => {
          const f: PcFacts = { pc_id: p.pc_id, hostname: null, agent_version: p.agent_version, last_seen_ms: now, inventory: {}, apps: [], tags: tags.get(p.pc_id) ?? {}, facts: {} };
          return [p.pc_id, compiled.filter((c) => evaluateGroupQuery(c.node, f, now)).map((c) => c.name).join(",")];
        }),
      );
    };
    const kv = await new Kvm(nc).open(BUCKETS.agentGroups);
    const seen = new Map<string, string>();
    let writes = 0;
    let counting = false;
    const watcher = await kv.watch();
    void (async () => {
      for await (const e of watcher) {
        if (e.operation !== "PUT") continue;
        const v = agentGroupsSchema.safeParse(e.json());
        if (!v.success) continue;
        seen.set(e.key, (v.data.dynamic ?? []).join(","));
        if (counting) writes++;
      }
    })();
    const settled = async (want: Map<string, string>, timeoutMs: number): Promise<void> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        let off = 0;
        for (const [pc, groups] of want) if ((seen.get(pc) ?? "") !== groups) off++;
        if (off === 0) return;
        if (Date.now() > until) throw new Error(`agent_groups not settled: ${off} PCs differ`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await settled(expected(), 300_000);

    // The floor on this machine at this moment: 2 × N compare-and-set KV writes (a tag and a group entry
    // per PC) from one client, 256 in flight, into a scratch bucket — no evaluation, no agents reacting.
    const scratch = await new Kvm(nc).create("bench_groups_floor");
    const revs = new Map<string, number>();
    for (const p of pcs) revs.set(p.pc_id, await scratch.put(p.pc_id, "{}"));
    const floor0 = performance.now();
    for (let round = 0; round < 2; round++) {
      let next = 0;
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (next < pcs.length) {
            const pc = pcs[next++]!.pc_id;
            revs.set(pc, await scratch.update(pc, JSON.stringify({ round }), revs.get(pc) ?? 0));
          }
        }),
      );
    }
    const floorMs = performance.now() - floor0;
    await scratch.destroy();

    // The measured change: every PC moves to osaka.
    for (const p of pcs) tags.set(p.pc_id, { ...tags.get(p.pc_id), site: "osaka" });
    const want = expected();
    const changedPcs = [...want].filter(([pc, g]) => (seen.get(pc) ?? "") !== g).length;
    const pid = backend.pid!;
    const cpu0 = cpuSeconds(pid);
    counting = true;
    const t0 = performance.now();
    await api("POST", "/api/tags", { pcs: pcs.map((p) => p.pc_id), set: { site: "osaka" } });
    const tagCallMs = performance.now() - t0;
    await settled(want, 600_000);
    const materialisedMs = performance.now() - t0;
    const cpuS = cpuSeconds(pid) - cpu0;
    counting = false;
    watcher.stop();
    const memberships = [...want.values()].reduce((n, g) => n + (g ? g.split(",").length : 0), 0);
    console.log(
      JSON.stringify({
        bench: "groups",
        agents: N,
        dynamic_groups: G,
        pcs_changed: changedPcs,
        memberships_after: memberships,
        floor_kv_cas_writes: 2 * N,
        floor_kv_cas_writes_ms: Math.round(floorMs),
        bulk_tag_call_ms: Math.round(tagCallMs),
        all_groups_materialised_ms: Math.round(materialisedMs),
        agent_groups_writes: writes,
        backend_cpu_s: Math.round(cpuS * 100) / 100,
        backend_cpu_pct: Math.round((cpuS / (materialisedMs / 1000)) * 1000) / 10,
        backend_peak_rss_mib: Math.round(memKiB(pid, "VmHWM") / 1024),
      }),
    );
  } finally {
    await nc.close();
  }
});
