/**
 * `runs_on: agent` schedules end to end (issue 14): a real nats-server we stop and start, the real backend
 * signing standing orders and opening each occurrence's execution, real agents firing real `sh` scripts on
 * their own clock. Each run appends its exec_id to a file, so "once" is counted on what actually ran.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { BUCKETS, type ExecutionSummary, type ListResponse, type ScheduleCoverage } from "@kanade/protocol";
import { openCommandSigner } from "@kanade/backend";
import { sleep, startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TestBackend, type TestFleet } from "@kanade/testkit";

const PCS = ["as-pc-1", "as-pc-2", "as-pc-3"];
const TICK_MS = 250;

let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
const runs = tempDir("kanade-agent-sched-runs-");

const ranIds = (pc: string): string[] => (existsSync(runs.join(pc)) ? readFileSync(runs.join(pc), "utf8").split("\n").filter(Boolean) : []);
const cachedOrders = (pc: string): string => {
  const file = fleet.dataDir.join(pc, "state", "schedule-orders.json");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
};
const hasOrder = (pc: string, id: string): boolean => cachedOrders(pc).includes(`"schedule_id":"${id}"`);

async function createSchedule(body: Record<string, unknown>): Promise<void> {
  const r = await backend.api<{ error?: unknown }>("POST", "/api/schedules", { job: "as-job", runs_on: "agent", ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { scheduleTickMs: TICK_MS });
  fleet = await startTestFleet(nats.url, PCS, { scheduleTickMs: TICK_MS });
  const job = `id: as-job\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 60s\n  script: |\n    echo "$KANADE_EXEC_ID" >> "${runs.path}/$KANADE_PC_ID"\n`;
  const r = await fetch(`${backend.url}/api/jobs`, { method: "POST", headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/yaml" }, body: job });
  expect(r.status, await r.text()).toBe(201);
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  runs.remove();
});

describe("runs_on: agent", () => {
  it("fires while the broker is down, its result arrives once the broker is back, and it never fires twice across an agent restart", { timeout: 120_000 }, async () => {
    const from = new Date(Date.now() + 6_000).toISOString();
    await createSchedule({ id: "offline-once", when: { per_pc: "once", tz: "utc", active: { from } }, target: { pcs: ["as-pc-1"] } });
    await waitFor(() => hasOrder("as-pc-1", "offline-once"), { timeoutMs: 10_000, what: "the standing order cached on as-pc-1" });
    expect(hasOrder("as-pc-2", "offline-once")).toBe(true); // every agent reads every order; only the target fires it

    await nats.stop();
    await waitFor(() => ranIds("as-pc-1").length === 1, { timeoutMs: 30_000, what: "as-pc-1 fired with the broker down" });
    const execId = ranIds("as-pc-1")[0]!;
    await sleep(1_000);
    await nats.start();

    await waitFor(
      async () => {
        const r = await backend.api<ExecutionSummary>("GET", `/api/executions/${execId}`);
        return r.status === 200 && r.body.counts.succeeded === 1;
      },
      { timeoutMs: 60_000, what: "the late result joined the execution the backend opened" },
    );
    const e = (await backend.api<ExecutionSummary>("GET", `/api/executions/${execId}`)).body;
    expect(e).toMatchObject({ job_id: "as-job", target_count: 1, issued_by: "schedule:offline-once" });
    const cov = (await backend.api<ScheduleCoverage>("GET", "/api/schedules/offline-once/coverage")).body;
    expect(cov.items.map((r) => [r.pc_id, r.state, r.exec_id, r.version])).toEqual([["as-pc-1", "ok", execId, "1.0.0"]]);

    await fleet.stop("as-pc-1");
    await fleet.start("as-pc-1", { scheduleTickMs: TICK_MS });
    await sleep(3_000); // a dozen ticks: room for a second fire to show up
    expect(ranIds("as-pc-1")).toEqual([execId]);
    for (const pc of ["as-pc-2", "as-pc-3"]) expect(ranIds(pc), pc).toEqual([]);
    const execs = (await backend.api<ListResponse<ExecutionSummary>>("GET", "/api/executions?job_id=as-job&limit=50")).body.items;
    expect(execs.map((x) => x.exec_id)).toEqual([execId]);
  });

  it("fires nothing while the fleet is frozen, fires once the freeze is cleared, and stops when the schedule is disabled", { timeout: 60_000 }, async () => {
    expect((await backend.api("PUT", "/api/freeze", { reason: "change freeze" })).status).toBe(200);
    await waitFor(() => existsSync(fleet.dataDir.join("as-pc-2", "state", "freeze.json")) && readFileSync(fleet.dataDir.join("as-pc-2", "state", "freeze.json"), "utf8").includes("change freeze"), {
      timeoutMs: 10_000,
      what: "as-pc-2 saw the freeze",
    });
    await createSchedule({ id: "frozen-once", when: { per_pc: "once" }, target: { pcs: ["as-pc-2"] } });
    await waitFor(() => hasOrder("as-pc-2", "frozen-once"), { timeoutMs: 10_000, what: "the standing order cached on as-pc-2" });
    await sleep(2_000); // eight agent ticks, eight backend ticks
    expect(ranIds("as-pc-2")).toEqual([]);
    const during = (await backend.api<ListResponse<ExecutionSummary>>("GET", "/api/executions?job_id=as-job&limit=50")).body.items;
    expect(during).toHaveLength(1); // only the first test's

    expect((await backend.api("DELETE", "/api/freeze")).status).toBe(200);
    await waitFor(() => ranIds("as-pc-2").length === 1, { timeoutMs: 15_000, what: "as-pc-2 fired after the freeze was cleared" });

    expect((await backend.api("POST", "/api/schedules/frozen-once/disable", {})).status).toBe(200);
    await waitFor(() => !hasOrder("as-pc-2", "frozen-once"), { timeoutMs: 10_000, what: "the order withdrawn from as-pc-2" });
  });

  it("refuses a standing order that a key it does not trust signed, or that was altered, even on a broker anyone may write to", { timeout: 60_000 }, async () => {
    const nc: NatsConnection = await connect({ servers: nats.url });
    const keys = tempDir("kanade-rogue-order-key-");
    try {
      const kv = await new Kvm(nc).open(BUCKETS.scheduleOrders);
      const rogue = openCommandSigner(keys.path);
      const unsigned = {
        schedule_id: "rogue",
        schedule: { id: "rogue", job: "as-job", enabled: true, runs_on: "agent", when: { per_pc: "once", tz: "local" }, target: { all: true }, constraints: {} },
        since: new Date(Date.now() - 60_000).toISOString(),
        command: { job_id: "as-job", version: "1.0.0", shell: "sh", script: `echo rogue >> "${runs.path}/$KANADE_PC_ID"`, timeout_secs: 60, run_as: "system", staleness: { mode: "cached" } },
        issued_at: new Date().toISOString(),
        issued_by: "schedule:rogue",
      };
      await kv.put("rogue", JSON.stringify({ ...unsigned, signature: rogue.sign("scheduleOrder", unsigned) }));
      // A genuine order with its command changed after signing.
      await createSchedule({ id: "altered", when: { per_pc: "once", active: { from: "2099-01-01" } }, target: { pcs: ["as-pc-3"] } });
      await waitFor(() => hasOrder("as-pc-3", "altered"), { timeoutMs: 10_000, what: "the genuine order cached" });
      const genuine = JSON.parse((await kv.get("altered"))!.string()) as { command: { script: string }; schedule: { when: { active?: unknown } } };
      genuine.command.script = `echo altered >> "${runs.path}/$KANADE_PC_ID"`;
      delete genuine.schedule.when.active;
      await kv.put("altered", JSON.stringify(genuine));

      await sleep(3_000);
      for (const pc of PCS) {
        expect(hasOrder(pc, "rogue"), pc).toBe(false);
        expect(ranIds(pc).join("\n"), pc).not.toMatch(/rogue|altered/);
      }
      expect(cachedOrders("as-pc-3")).not.toContain("echo altered"); // the good order was kept
    } finally {
      await nc.close();
      keys.remove();
    }
  });
});
