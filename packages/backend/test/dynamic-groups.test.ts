/**
 * Dynamic groups end to end: a real backend, real agents on a real nats-server. A tag or a fact changes,
 * the PC joins or leaves the group within seconds (KV agent_groups, which the agents watch), and an exec
 * to the group reaches it or no longer does. Static memberships survive; a stale tag revision is a 409.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kvm, type KV } from "@nats-io/kv";
import { jetstream } from "@nats-io/jetstream";
import { startAgent, type RunningAgent } from "@kanade/agent";
import { BUCKETS, STREAMS, subjects, type AgentSummary, type AgentTagsView, type GroupDetail, type GroupPreviewResult } from "@kanade/protocol";
import { tempDir, testCommandKeys, testLogger, waitFor, type TempDir } from "@kanade/testkit";
import { v7 as uuidv7 } from "uuid";
import { HELLO_YAML, makeResult, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

describe("dynamic groups and tags", () => {
  const env = useBackendEnv();
  const agents: RunningAgent[] = [];
  let dir: TempDir;
  let groupsKv: KV;

  beforeAll(async () => {
    dir = tempDir("kanade-dyn-groups-");
    // No inventory from the real agents: the fact test below publishes its own.
    expect((await env().backend.api("PUT", "/api/config", { inventory_enabled: false })).status).toBe(200);
    for (const pc of ["pc-a", "pc-b"]) {
      agents.push(
        await startAgent(
          { pcId: pc, natsUrl: env().server.url, dataDir: `${dir.path}/${pc}`, logLevel: "silent", heartbeatIntervalMs: 30_000, commandKeys: testCommandKeys().keys },
          { log: testLogger(pc) },
        ),
      );
    }
    groupsKv = await new Kvm(env().nc).open(BUCKETS.agentGroups);
    await waitFor(async () => ((await env().backend.api("GET", "/api/agents")).body as { items: AgentSummary[] }).items.length === 2 || undefined, { what: "both agents listed" });
    expect((await env().backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    dir?.remove();
  });

  const api = (method: string, path: string, body?: unknown) => env().backend.api(method, path, body);
  const kvGroups = async (pc: string): Promise<Record<string, string[]>> => ((await groupsKv.get(pc))?.json<Record<string, string[]>>() ?? { groups: [] });
  const tag = async (pc: string, body: Record<string, unknown>): Promise<AgentTagsView> => {
    const r = await api("PATCH", `/api/agents/${pc}/tags`, body);
    expect(r.status, r.text).toBe(200);
    return r.body as AgentTagsView;
  };
  const waitMembers = (group: string, pcs: string[]) =>
    waitFor(
      async () => {
        const d = (await api("GET", `/api/groups/${group}`)).body as GroupDetail;
        return JSON.stringify(d.dynamic_members) === JSON.stringify(pcs) || undefined;
      },
      { what: `dynamic members of ${group} to be ${pcs.join(",") || "none"}`, timeoutMs: 10_000 },
    );
  /** Execs hello to a group and waits for the results of `expect`ed PCs; returns every PC that answered. */
  const execToGroup = async (group: string, expected: string[]): Promise<string[]> => {
    const r = await api("POST", "/api/exec/hello", { groups: [group] });
    expect(r.status, r.text).toBeLessThan(300);
    const execId = (r.body as { exec_id: string }).exec_id;
    const js = jetstream(env().nc);
    const jsm = await js.jetstreamManager();
    const answered = async (pc: string) => (await jsm.streams.getMessage(STREAMS.RESULTS, { last_by_subj: subjects.result(execId, pc) })) !== null;
    for (const pc of expected) await waitFor(async () => (await answered(pc)) || undefined, { what: `${pc}'s result`, timeoutMs: 20_000 });
    return (await Promise.all(["pc-a", "pc-b"].map(async (pc) => ((await answered(pc)) ? pc : "")))).filter(Boolean);
  };

  it("previews, defines, and follows tag changes in and out — and the group's commands follow", async () => {
    expect((await api("PUT", "/api/agents/pc-a/groups", { groups: ["keep"] })).status).toBe(200);
    const preview = await api("POST", "/api/group-preview", { query: 'tag.site = "osaka"' });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body as GroupPreviewResult).toMatchObject({ count: 0, pcs: [] });

    const defined = await api("PUT", "/api/groups/osaka", { query: 'tag.site = "osaka"', description: "Osaka office" });
    expect(defined.status, defined.text).toBe(200);
    expect((defined.body as GroupDetail).definition?.query).toBe('tag.site = "osaka"');

    await tag("pc-b", { set: { site: "osaka" }, expected_revision: 0 });
    await waitMembers("osaka", ["pc-b"]);
    expect(await kvGroups("pc-b")).toMatchObject({ groups: ["osaka"], dynamic: ["osaka"] });
    expect(await execToGroup("osaka", ["pc-b"])).toEqual(["pc-b"]);

    // pc-b moves to tokyo, pc-a arrives in osaka: membership and commands follow; pc-a keeps its static group.
    await tag("pc-b", { set: { site: "tokyo" } });
    await tag("pc-a", { set: { site: "osaka" } });
    await waitMembers("osaka", ["pc-a"]);
    expect(await kvGroups("pc-a")).toMatchObject({ groups: ["keep", "osaka"], static: ["keep"], dynamic: ["osaka"] });
    expect((await kvGroups("pc-b")).groups).toEqual([]);
    const reached = await execToGroup("osaka", ["pc-a"]);
    // pc-b must not run it: a later command straight to pc-b comes back first if it had the group's.
    const direct = await api("POST", "/api/exec/hello", { pcs: ["pc-b"] });
    const directId = (direct.body as { exec_id: string }).exec_id;
    const jsm = await jetstream(env().nc).jetstreamManager();
    await waitFor(async () => (await jsm.streams.getMessage(STREAMS.RESULTS, { last_by_subj: subjects.result(directId, "pc-b") })) ?? undefined, { what: "pc-b's direct result", timeoutMs: 20_000 });
    expect(reached).toEqual(["pc-a"]);

    const listed = (await api("GET", "/api/agents?tag=site=osaka")).body as { items: AgentSummary[] };
    expect(listed.items.map((a) => a.pc_id)).toEqual(["pc-a"]);
    expect(listed.items[0]?.tags).toEqual({ site: "osaka" });
    const groups = (await api("GET", "/api/groups")).body as { items: { name: string; pcs: string[]; query?: string }[] };
    expect(groups.items.find((g) => g.name === "osaka")).toMatchObject({ pcs: ["pc-a"], query: 'tag.site = "osaka"' });

    // Undefined: dynamic members leave, static ones stay.
    expect((await api("DELETE", "/api/groups/osaka")).status).toBe(200);
    await waitFor(async () => JSON.stringify((await kvGroups("pc-a")).groups) === '["keep"]' || undefined, { what: "pc-a back to its static group" });
    const metrics = (await api("GET", "/metrics")).text;
    expect(Number(/^kanade_dynamic_groups_writes_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    const audit = (await api("GET", "/api/audit?limit=200")).body as { items: { action: string; target: string }[] };
    expect(audit.items.filter((e) => e.target === "osaka").map((e) => e.action).sort()).toEqual(["group.define", "group.undefine"]);
  });

  it("a fact change (os build from inventory) moves a PC in and out", async () => {
    expect((await api("PUT", "/api/groups/old-win", { query: "os.build < 19045 and not tag.owner = finance" })).status).toBe(200);
    const js = jetstream(env().nc);
    const inventory = (build: string) =>
      js.publish(subjects.inventory("pc-b", "os"), JSON.stringify({ pc_id: "pc-b", category: "os", collected_at: new Date().toISOString(), data: { name: "Windows 10 Pro", version: "10.0", build } }));
    await inventory("19044");
    await waitMembers("old-win", ["pc-b"]);
    await inventory("19045");
    await waitMembers("old-win", []);
    await inventory("19041");
    await waitMembers("old-win", ["pc-b"]);
    await tag("pc-b", { set: { owner: "finance" } });
    await waitMembers("old-win", []);
  });

  it("an inventory job's facts move a PC in and out (the results projector tells the groups whose facts it stored)", async () => {
    const job = "id: dgfacts\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo '{}'\n  timeout: 30s\ninventory:\n  display: [{ field: color, label: Colour }]\n";
    expect((await env().backend.api("POST", "/api/jobs", job)).status).toBe(201);
    expect((await api("PUT", "/api/groups/blue-ones", { query: "fact.dgfacts.color = blue" })).status).toBe(200);
    const js = jetstream(env().nc);
    const execId = uuidv7();
    let at = Date.now();
    const answer = async (jobId: string, stdout: string): Promise<void> => {
      const finished = new Date((at += 1_000)).toISOString();
      const r = makeResult(execId, "pc-a", { job_id: jobId, version: "1.0.0", stdout, started_at: finished, finished_at: finished });
      await js.publish(subjects.result(execId, "pc-a"), JSON.stringify(r), { msgID: r.result_id });
    };
    await answer("dgfacts", '{"color":"blue"}');
    await waitMembers("blue-ones", ["pc-a"]);
    await answer("hello", '{"color":"red"}'); // another job's result in between: no fact of dgfacts
    await answer("dgfacts", '{"color":"red"}');
    await waitMembers("blue-ones", []);
  });

  it("a stale expected_revision is a 409 that names the conflict, and loses nothing", async () => {
    const start = (await api("GET", "/api/agents/pc-a/tags")).body as AgentTagsView;
    const first = await tag("pc-a", { set: { owner: "it" }, expected_revision: start.revision });
    expect(first.revision).toBeGreaterThan(start.revision);
    const second = await api("PATCH", "/api/agents/pc-a/tags", { set: { owner: "finance" }, expected_revision: start.revision });
    expect(second.status).toBe(409);
    const err = (second.body as ErrBody).error;
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toContain("pc-a");
    expect(err.message).toContain('"owner":"it"');
    expect(((await api("GET", "/api/agents/pc-a/tags")).body as AgentTagsView).tags).toMatchObject({ owner: "it" });
  });

  it("refuses bad tags and bad queries naming the field and position", async () => {
    const badTag = await api("PATCH", "/api/agents/pc-a/tags", { set: { "bad key": "x" } });
    expect(badTag.status).toBe(400);
    expect(badTag.text).toContain("bad key");
    const badQuery = await api("PUT", "/api/groups/broken", { query: "tag.site = " });
    expect(badQuery.status).toBe(400);
    expect(badQuery.text).toContain("column 12");
    expect((await api("GET", "/api/groups/broken")).status).toBe(404);
  });
});
