/**
 * Knowing the fleet, as an operator sees it through the real CLI: agents online → offline, ping (alive
 * and dead), the agent's log tail, built-in inventory and "who has app X", inventory jobs with good and
 * bad JSON and the history of a changed fact, and a group change that re-routes a running agent.
 * Real nats-server, real backend (HTTP + SQLite), real agents running real `sh` scripts.
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { createLogger, LogRing, startAgent, type Collector, type RunningAgent } from "@kanade/agent";
import type { AgentSummary, ExecutionDetail, InventoryRecord, JobFactChange, JobFactsTable, ResultRecord } from "@kanade/protocol";
import {
  runCli,
  startNatsServer,
  startTestBackend,
  tempDir,
  waitFor,
  type NatsServer,
  type TestBackend,
  testCommandKeys,
} from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLES = join(import.meta.dirname, "../../../examples/jobs");

let nats: NatsServer;
let backend: TestBackend;
const dir = tempDir("kanade-fleet-knowledge-");
const agents = new Map<string, RunningAgent>();
const rings = new Map<string, LogRing>();

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 30_000 });
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await kanade(...args, "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

/** A fake `sw` so "who has app X" does not depend on what this test machine has installed. */
const fakeCollector = (pc: string): Collector => async (category) =>
  category === "sw"
    ? { source: "test", apps: [{ name: "Contoso Widget", version: pc === "fk-pc-1" ? "1.2.0" : "1.3.0", publisher: "Contoso" }] }
    : { category, pc };

async function startOne(pc: string, opts: { realInventory?: boolean } = {}): Promise<RunningAgent> {
  const ring = new LogRing();
  rings.set(pc, ring);
  const agent = await startAgent(
    { pcId: pc, natsUrl: nats.url, dataDir: dir.join(pc), logLevel: "info", heartbeatIntervalMs: 1_000, commandKeys: testCommandKeys().keys },
    {
      log: createLogger("info", {}, { ring, stderr: false }),
      logRing: ring,
      ...(opts.realInventory ? {} : { collectInventory: fakeCollector(pc) }),
    },
  );
  agents.set(pc, agent);
  return agent;
}

async function agentList(): Promise<AgentSummary[]> {
  return json<AgentSummary[]>("agents");
}

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  await startOne("fk-pc-1", { realInventory: true });
  await startOne("fk-pc-2");
  await waitFor(async () => (await agentList()).filter((a) => a.online).length === 2, { what: "two agents online" });
});

afterAll(async () => {
  for (const a of agents.values()) await a.stop();
  await backend?.close();
  await nats?.dispose();
  dir.remove();
});

describe("agents, ping and logs", () => {
  it("lists agents with their footprint and shows one in detail", async () => {
    const list = await agentList();
    const one = list.find((a) => a.pc_id === "fk-pc-1")!;
    expect(one).toMatchObject({ online: true, heartbeat_interval_secs: 1, os_family: process.platform === "win32" ? "windows" : process.platform });
    expect(one.agent_rss_bytes).toBeGreaterThan(0);
    const table = await kanade("agents", "--online");
    expect(table.stdout.split("\n")[0]).toMatch(/^PC\s+ONLINE\s+HOSTNAME\s+OS\s+VERSION\s+USER\s+IP\s+CPU\s+MEM\s+GROUPS\s+TAGS\s+LAST SEEN$/);
    expect(table.stdout).toMatch(/^fk-pc-1\s+yes\s/m);
    const show = await kanade("agent", "show", "fk-pc-2");
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("pc_id: fk-pc-2");
  });

  it("pings a live agent and gets a fresh heartbeat", async () => {
    const reply = await json<{ pc_id: string; rtt_ms: number; heartbeat: { pc_id: string } }>("ping", "fk-pc-1");
    expect(reply.pc_id).toBe("fk-pc-1");
    expect(reply.heartbeat.pc_id).toBe("fk-pc-1");
    expect(reply.rtt_ms).toBeGreaterThanOrEqual(0);
    const human = await kanade("ping", "fk-pc-2");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^reply from fk-pc-2 in \d+\.\d ms\n/);
  });

  it("tails an agent's log through NATS", async () => {
    const r = await kanade("logs", "fk-pc-1", "--tail", "5");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    const all = await json<{ lines: string[] }>("logs", "fk-pc-1", "--tail", "200");
    expect(all.lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === "agent ready")).toBe(true);
  });

  it("a stopped agent goes offline, a ping to it fails with no reply, and DELETE forgets it", async () => {
    await agents.get("fk-pc-2")!.stop();
    agents.delete("fk-pc-2");
    await waitFor(async () => (await agentList()).find((a) => a.pc_id === "fk-pc-2")?.online === false, {
      what: "fk-pc-2 offline",
      timeoutMs: 15_000,
    });
    const dead = await kanade("ping", "fk-pc-2");
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(/^error: no reply from fk-pc-2 in 5 s/);
    const online = await json<AgentSummary[]>("agents", "--online");
    expect(online.map((a) => a.pc_id)).toEqual(["fk-pc-1"]);
    const del = await backend.api("DELETE", "/api/agents/fk-pc-2");
    expect(del.status).toBe(200);
    expect((await agentList()).map((a) => a.pc_id)).toEqual(["fk-pc-1"]);
    expect((await kanade("inventory", "fk-pc-2")).code).toBe(1);
  });
});

describe("inventory", () => {
  it("collects the built-in categories at start and answers which PCs have an application", async () => {
    await waitFor(async () => (await backend.api<InventoryRecord>("GET", "/api/inventory/fk-pc-1")).status === 200, {
      what: "inventory of fk-pc-1",
    });
    await waitFor(async () => Object.keys((await backend.api<InventoryRecord>("GET", "/api/inventory/fk-pc-1")).body.categories).length === 4, {
      what: "all four categories",
    });
    const rec = await json<InventoryRecord>("inventory", "fk-pc-1");
    const hw = rec.categories.hw!.data as { cpu: { cores: number }; ram_bytes: number };
    expect(hw.cpu.cores).toBeGreaterThan(0);
    expect(hw.ram_bytes).toBeGreaterThan(0);
    expect((rec.categories.net!.data as { interfaces: unknown[] }).interfaces.length).toBeGreaterThan(0);
    expect(rec.categories.os!.data).toHaveProperty("boot_time");
    const human = await kanade("inventory", "fk-pc-1");
    expect(human.stdout).toMatch(/^pc: fk-pc-1\n/);

    // A third agent with the fake software list: the app search finds it with its version.
    await startOne("fk-pc-3");
    await waitFor(async () => (await json<unknown[]>("inventory", "--app", "contoso")).length === 1, { what: "Contoso Widget indexed" });
    const table = await kanade("inventory", "--app", "WIDGET", "--pcs");
    expect(table.stdout).toMatch(/^fk-pc-3\s+Contoso Widget\s+1\.3\.0\s+Contoso$/m);
    expect((await kanade("inventory")).code).toBe(2);
  });

  it("stores an inventory job's facts, fails bad JSON keeping stdout, and keeps the history of a change", async () => {
    expect((await kanade("job", "create", join(EXAMPLES, "os-release-inventory.yaml"))).code).toBe(0);
    const jobs = tempDir("kanade-fk-jobs-");
    try {
      // A version never changes its content: each new script is a new version.
      const write = (body: string, version: string): string => {
        const p = jobs.join("facts.yaml");
        writeFileSync(p, `id: fk-facts\nversion: ${version}\nexecute:\n  shell: sh\n  script: |\n    ${body}\n  timeout: 30s\ninventory:\n  display: [{ field: color, label: Colour }]\n`);
        return p;
      };
      const runJob = async (job: string, pc: string): Promise<ExecutionDetail> => {
        // --wait prints progress on stderr and exits 1 when a run failed; stdout is the execution.
        const r = await kanade("exec", job, "--pcs", pc, "--wait", "--json");
        return JSON.parse(r.stdout) as ExecutionDetail;
      };

      await runJob("os-release", "fk-pc-1");
      const os = await json<JobFactsTable>("inventory", "--job", "os-release");
      expect(os.columns.map((c) => c.label)).toEqual(["OS", "Version", "Kernel"]);
      expect(os.items[0]).toMatchObject({ pc_id: "fk-pc-1", facts: { os_id: expect.any(String), kernel: expect.any(String) } });
      expect((await kanade("inventory", "--job", "os-release")).stdout).toMatch(/^PC\s+OS\s+Version\s+Kernel\s+COLLECTED$/m);

      expect((await kanade("job", "create", write(`echo '{"color":"red","size":1}'`, "1.0.0"))).code).toBe(0);
      await runJob("fk-facts", "fk-pc-1");
      expect((await kanade("job", "create", write(`echo '{"color":"blue"}'`, "1.0.1"))).code).toBe(0);
      await runJob("fk-facts", "fk-pc-1");
      const facts = await json<JobFactsTable>("inventory", "--job", "fk-facts");
      expect(facts.items).toMatchObject([{ pc_id: "fk-pc-1", facts: { color: "blue" } }]);
      const history = await json<JobFactChange[]>("inventory", "--job", "fk-facts", "--history");
      expect(history.map((h) => [h.field, h.change, h.old_value, h.new_value])).toEqual([
        ["color", "appeared", null, "red"],
        ["size", "appeared", null, 1],
        ["color", "changed", "red", "blue"],
        ["size", "removed", 1, null],
      ]);

      expect((await kanade("job", "create", write(`echo 'colour: green'`, "1.0.2"))).code).toBe(0);
      const bad = await runJob("fk-facts", "fk-pc-1");
      expect(bad.rows[0]!.status).toBe("failed");
      const [result] = await json<ResultRecord[]>("results", "--exec", bad.exec_id);
      expect(result!.error).toMatch(/^inventory: stdout is not valid JSON/);
      expect(result!.stdout).toBe("colour: green\n");
      // The last good facts stay.
      expect((await json<JobFactsTable>("inventory", "--job", "fk-facts")).items[0]!.facts).toEqual({ color: "blue" });
    } finally {
      jobs.remove();
    }
  });
});

describe("groups", () => {
  it("a group change through the CLI re-routes a running agent, and groups list member counts", async () => {
    const path = dir.join("group-hello.yaml");
    writeFileSync(path, `id: fk-group-hello\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo "hi from $KANADE_PC_ID"\n  timeout: 30s\n`);
    expect((await kanade("job", "create", path)).code).toBe(0);
    expect((await kanade("group", "add", "fk-pc-3", "canary")).code).toBe(0);
    const groups = await json<{ name: string; count: number }[]>("group", "list");
    expect(groups).toEqual([expect.objectContaining({ name: "canary", count: 1 })]);
    // The agent follows its KV key: its heartbeat reports the group once it has subscribed.
    await waitFor(async () => (await json<{ heartbeat: { groups: string[] } }>("ping", "fk-pc-3")).heartbeat.groups.includes("canary"), {
      what: "fk-pc-3 in canary",
    });
    const fired = await kanade("exec", "fk-group-hello", "--groups", "canary", "--wait", "--json");
    const detail = JSON.parse(fired.stdout) as ExecutionDetail;
    expect(detail.rows.map((r) => [r.pc_id, r.status])).toEqual([["fk-pc-3", "succeeded"]]);

    expect((await kanade("group", "rm", "fk-pc-3", "canary")).code).toBe(0);
    await waitFor(async () => !(await json<{ heartbeat: { groups: string[] } }>("ping", "fk-pc-3")).heartbeat.groups.includes("canary"), {
      what: "fk-pc-3 left canary",
    });
    expect(await json<unknown[]>("group", "list")).toEqual([]);
  });
});
