/**
 * Schedules end to end (issue 14): a real nats-server we stop and start, the real backend firing on its own
 * clock, real agents running real `sh` scripts, and the real CLI. Each run appends a line to a file, so
 * "exactly once" is counted on what actually ran, not on what the backend believes.
 */
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, ListResponse, ResultRecord, ScheduleCoverage } from "@kanade/protocol";
import {
  runCli,
  sleep,
  startNatsServer,
  startTestBackend,
  startTestFleet,
  tempDir,
  waitFor,
  type NatsServer,
  type TestBackend,
  type TestFleet,
} from "@kanade/testkit";

const PCS = ["sch-pc-1", "sch-pc-2", "sch-pc-3"];
const LATE = "sch-pc-4";

let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
const files = tempDir("kanade-sched-");
const runs = tempDir("kanade-sched-runs-");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });
const runCount = (pc: string): number => (existsSync(runs.join(pc)) ? readFileSync(runs.join(pc), "utf8").split("\n").filter(Boolean).length : 0);

async function coverage(id: string): Promise<ScheduleCoverage> {
  const r = await kanade("schedule", "coverage", id, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ScheduleCoverage;
}

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { scheduleTickMs: 250 });
  fleet = await startTestFleet(nats.url, PCS);
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === PCS.length, {
    what: "every agent in GET /api/agents",
  });
  writeFileSync(
    files.join("job.yaml"),
    `id: sched-once\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 60s\n  script: |\n    echo "$KANADE_EXEC_ID" >> "${runs.path}/$KANADE_PC_ID"\n`,
  );
  const r = await kanade("job", "create", files.join("job.yaml"));
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  files.remove();
  runs.remove();
});

describe("kanade schedule", () => {
  it("refuses a bad schedule naming each bad field (exit 2, locally and at the API), and nothing is stored", async () => {
    writeFileSync(files.join("bad.yaml"), `id: bad\njob: sched-once\nwhen: {calendar: {at: "25:00", days: [tue#9]}, tz: Nowhere/City}\ntarget: {all: true}\nconstraints: {windows: "22:00-05:00"}\n`);
    const local = await kanade("schedule", "validate", files.join("bad.yaml"));
    expect(local.code).toBe(2);
    for (const field of ["when.calendar.at", "when.calendar.days.0", "when.tz", "constraints: unknown field(s): windows"]) expect(local.stderr).toContain(field);
    const api = await fetch(`${backend.url}/api/schedules`, {
      method: "POST",
      headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/yaml" },
      body: readFileSync(files.join("bad.yaml"), "utf8"),
    });
    const body = (await api.json()) as { error: { code: string; details: { path: string }[] } };
    expect(api.status).toBe(400);
    expect(body.error.code).toBe("INVALID_SCHEDULE");
    expect(body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining(["when.calendar.at", "when.calendar.days.0", "when.tz", "constraints"]));
    writeFileSync(files.join("nojob.yaml"), `id: nojob\njob: no-such-job\nwhen: {per_pc: once}\ntarget: {all: true}\n`);
    const noJob = await kanade("schedule", "create", files.join("nojob.yaml"));
    expect(noJob.code).toBe(2);
    expect(noJob.stderr).toContain('job: no job "no-such-job"');
    expect(JSON.parse((await kanade("schedule", "list", "--json")).stdout)).toEqual([]);
  });

  it("per_pc once runs exactly once per PC across agent restarts and a broker restart, and once on a PC that joins later", { timeout: 120_000 }, async () => {
    writeFileSync(files.join("once.yaml"), `# every PC once\nid: once-each\njob: sched-once\nwhen: {per_pc: once}\ntarget: {all: true}\n`);
    const created = await kanade("schedule", "create", files.join("once.yaml"));
    expect(created.code, created.stderr).toBe(0);
    await waitFor(async () => (await coverage("once-each")).counts.ok === PCS.length, { timeoutMs: 30_000, what: "every PC ok" });

    // Agents restart (each replays EXEC on reconnect), the broker restarts, and the backend keeps ticking.
    for (const pc of PCS) {
      await fleet.stop(pc);
      await fleet.start(pc);
    }
    await nats.stop();
    await sleep(1_000);
    await nats.start();
    await fleet.start(LATE);
    await waitFor(async () => (await coverage("once-each")).counts.ok === PCS.length + 1, { timeoutMs: 60_000, what: "the late PC ok too" });
    await sleep(3_000); // a dozen more ticks: room for a second fire to show up

    for (const pc of [...PCS, LATE]) expect(runCount(pc), pc).toBe(1);
    const rs = (await backend.api<ListResponse<ResultRecord>>("GET", "/api/results?job_id=sched-once&limit=500")).body.items;
    expect(rs.map((r) => r.pc_id).sort()).toEqual([...PCS, LATE].sort());
    const cov = await coverage("once-each");
    expect(cov.items.map((r) => [r.pc_id, r.state, r.version])).toEqual([...PCS, LATE].sort().map((pc) => [pc, "ok", "1.0.0"]));

    const status = JSON.parse((await kanade("schedule", "status", "once-each", "--json")).stdout) as { held: string | null; counts: { ok: number } };
    expect(status).toMatchObject({ held: null, counts: { ok: 4 } });
  });

  it("lists, shows, previews, exports with comments, disables and enables (audited), and deletes", async () => {
    writeFileSync(
      files.join("cal.yaml"),
      `# weekday cleanup\nid: weekday-cleanup\njob: sched-once\nwhen:\n  calendar: {at: "03:00", days: [mon-fri]}\n  tz: utc\n  active: {from: 2030-01-01}\ntarget: {groups: [nobody]}\n`,
    );
    expect((await kanade("schedule", "create", files.join("cal.yaml"))).code).toBe(0);
    const preview = JSON.parse((await kanade("schedule", "preview", "weekday-cleanup", "--count", "3", "--json")).stdout) as { fires: { fire_at: string }[] };
    // 2030-01-01 is a Tuesday.
    expect(preview.fires.map((f) => f.fire_at)).toEqual(["2030-01-01T03:00:00.000Z", "2030-01-02T03:00:00.000Z", "2030-01-03T03:00:00.000Z"]);
    const list = await kanade("schedule", "list");
    expect(list.stdout).toMatch(/weekday-cleanup\s+sched-once\s+yes\s+backend\s+03:00 mon-fri \(utc\)\s+2030-01-01T03:00:00.000Z/);

    const off = await kanade("schedule", "disable", "weekday-cleanup", "--cascade");
    expect(off.code, off.stderr).toBe(0);
    const exported = (await kanade("schedule", "export", "weekday-cleanup")).stdout;
    expect(exported).toContain("# weekday cleanup");
    expect(exported).toContain("enabled: false");
    expect(JSON.parse((await kanade("schedule", "show", "weekday-cleanup", "--json")).stdout)).toMatchObject({ enabled: false, next_fire_at: null });
    expect((await kanade("schedule", "enable", "weekday-cleanup")).code).toBe(0);
    const audit = (await backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?limit=100")).body.items.filter((e) => e.target === "weekday-cleanup").map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(["schedule.create", "schedule.disable", "schedule.enable"]));

    expect((await kanade("schedule", "delete", "weekday-cleanup")).code).toBe(0);
    const gone = await kanade("schedule", "show", "weekday-cleanup");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No schedule "weekday-cleanup"`);
  });
});
