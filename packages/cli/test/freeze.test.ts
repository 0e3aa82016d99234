/**
 * The fleet freeze (issue 14): real nats-server, the real backend firing schedules on its own clock, a real
 * agent, the real CLI. A freeze holds every schedule fire and refuses a manual exec unless it says
 * --during-freeze (audited as such); a corrupt freeze value counts as frozen.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, ListResponse, ScheduleCoverage } from "@kanade/protocol";
import { runCli, sleep, startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TestBackend, type TestFleet } from "@kanade/testkit";

const PC = "frz-pc-1";
let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
const files = tempDir("kanade-freeze-");
const runs = tempDir("kanade-freeze-runs-");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });
const ran = (): number => (existsSync(runs.join(PC)) ? readFileSync(runs.join(PC), "utf8").split("\n").filter(Boolean).length : 0);

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { scheduleTickMs: 250 });
  fleet = await startTestFleet(nats.url, [PC]);
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === 1, { what: "the agent" });
  writeFileSync(files.join("job.yaml"), `id: frz-job\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 60s\n  script: |\n    echo "$KANADE_EXEC_ID" >> "${runs.path}/$KANADE_PC_ID"\n`);
  expect((await kanade("job", "create", files.join("job.yaml"))).code).toBe(0);
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  files.remove();
  runs.remove();
});

describe("kanade freeze", () => {
  it("holds schedule fires and refuses exec without --during-freeze; clearing lets the schedule fire", { timeout: 90_000 }, async () => {
    const set = await kanade("freeze", "set", "--reason", "year-end change freeze", "--until", "2h");
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^FROZEN \(from .* until .*; set by static-token/);
    expect(set.stdout).toContain("reason: year-end change freeze");

    writeFileSync(files.join("s.yaml"), `id: frz-once\njob: frz-job\nwhen: {per_pc: once}\ntarget: {all: true}\n`);
    expect((await kanade("schedule", "create", files.join("s.yaml"))).code).toBe(0);
    await sleep(2_000); // eight ticks
    const held = JSON.parse((await kanade("schedule", "status", "frz-once", "--json")).stdout) as { held: string; counts: { not_yet_due: number } };
    expect(held.held).toContain("year-end change freeze");
    expect(held.counts.not_yet_due).toBe(1);

    const refused = await kanade("exec", "frz-job", "--pcs", PC);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("year-end change freeze");
    expect(refused.stderr).toContain("--during-freeze");
    expect(ran()).toBe(0);

    const forced = await kanade("exec", "frz-job", "--pcs", PC, "--during-freeze", "--wait");
    expect(forced.code, forced.stderr).toBe(0);
    expect(ran()).toBe(1);
    const audit = (await backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?action=exec.create&limit=10")).body.items;
    expect(audit[0]?.payload_summary).toMatchObject({ during_freeze: true });

    expect((await kanade("freeze", "clear")).stdout).toBe("not frozen\n");
    await waitFor(async () => {
      const c = JSON.parse((await kanade("schedule", "coverage", "frz-once", "--json")).stdout) as ScheduleCoverage;
      return c.counts.ok === 1;
    }, { timeoutMs: 30_000, what: "the schedule fired once the freeze was cleared" });
    expect(ran()).toBe(2);
    const actions = (await backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?target=freeze&limit=10")).body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["freeze.set", "freeze.clear"]));
  });

  it("a corrupt freeze value counts as frozen until it is set or cleared", async () => {
    expect((await kanade("jetstream", "kv", "put", "fleet_config", "freeze", "{not json")).code).toBe(0);
    const st = await kanade("freeze", "status");
    expect(st.stdout).toMatch(/^FROZEN: fleet freeze value unreadable \(not JSON\)/);
    const refused = await kanade("exec", "frz-job", "--pcs", PC);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("unreadable");
    expect((await kanade("freeze", "clear")).code).toBe(0);
    expect((await kanade("freeze", "status")).stdout).toBe("not frozen\n");
  });
});
