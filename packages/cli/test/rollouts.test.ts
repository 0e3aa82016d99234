/**
 * Rollout waves (issue 14): real nats-server, backend, agents running real `sh` scripts, and the CLI. A canary
 * failure aborts the rollout before the next wave; a freeze set mid-rollout holds the next wave until cleared.
 * What ran is counted on disk, so "never sent" means never ran.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListResponse, RolloutView, ScheduleCoverage } from "@kanade/protocol";
import { runCli, sleep, startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TestBackend, type TestFleet } from "@kanade/testkit";

const CANARIES = ["wav-pc-1", "wav-pc-2"];
const REST = ["wav-pc-3", "wav-pc-4", "wav-pc-5"];
const PCS = [...CANARIES, ...REST];
let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
const files = tempDir("kanade-waves-");
const runs = tempDir("kanade-waves-runs-");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });
const ran = (job: string): string[] => PCS.filter((pc) => existsSync(runs.join(`${job}.${pc}`)) && readFileSync(runs.join(`${job}.${pc}`), "utf8").length > 0);
const status = async (id: string): Promise<RolloutView> => {
  const r = await kanade("rollout", "status", id, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RolloutView;
};
async function job(id: string, canaryExit: number): Promise<void> {
  writeFileSync(
    files.join(`${id}.yaml`),
    `id: ${id}\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 30s\n  script: |\n    echo ran >> "${runs.path}/$KANADE_JOB_ID.$KANADE_PC_ID"\n    case "$KANADE_PC_ID" in wav-pc-1|wav-pc-2) exit ${canaryExit};; esac\n`,
  );
  expect((await kanade("job", "create", files.join(`${id}.yaml`))).code).toBe(0);
}
async function start(jobId: string, waves: string): Promise<string> {
  const r = await kanade("exec", jobId, "--all", "--yes", "--waves", waves, "--min-results", "2", "--abort-if", "0.5", "--json");
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as RolloutView).id;
}

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { scheduleTickMs: 250 });
  fleet = await startTestFleet(nats.url, PCS);
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === PCS.length, { what: "every agent" });
  for (const pc of CANARIES) expect((await kanade("group", "add", pc, "canary")).code).toBe(0);
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  files.remove();
  runs.remove();
});

describe("rollout waves", () => {
  it("a canary failure aborts the rollout: the rest of the fleet is never sent the command", { timeout: 90_000 }, async () => {
    await job("wav-bad", 3);
    const id = await start("wav-bad", "canary:0m,100%:2s");
    const v = await waitFor(async () => {
      const s = await status(id);
      return s.state === "aborted" ? s : undefined;
    }, { timeoutMs: 30_000, what: "the rollout aborted" });
    expect(v.reason).toMatch(/^failure rate 100% \(2 of 2 answered\) reached abort_if_failure_rate 50% before wave 2; 3 PC\(s\) were never sent the command$/);
    expect(v.waves.map((w) => w.state)).toEqual(["sent", "waiting"]);
    await sleep(3_000); // past wave 2's time: nothing more goes out
    expect(ran("wav-bad").sort()).toEqual(CANARIES);
    const text = await kanade("rollout", "status", id);
    expect(text.stdout).toContain("aborted — failure rate 100%");
  });

  it("a freeze set mid-rollout holds the next wave; cleared, the rollout completes", { timeout: 90_000 }, async () => {
    await job("wav-good", 0);
    // Wave 1 goes out as the rollout starts; the freeze comes before wave 2 is due (10 s later).
    const id = await start("wav-good", "canary:0m,100%:10s");
    expect((await kanade("freeze", "set", "--reason", "incident")).code).toBe(0);
    await waitFor(async () => (await status(id)).answered === 2, { timeoutMs: 30_000, what: "the canaries answered" });
    const due = Date.parse((await status(id)).waves[1]!.due_at);
    await sleep(Math.max(0, due - Date.now()) + 2_000); // wave 2 came due during the freeze
    expect((await status(id)).waves.map((w) => w.state)).toEqual(["sent", "waiting"]);
    expect(ran("wav-good").sort()).toEqual(CANARIES);
    expect((await kanade("freeze", "clear")).code).toBe(0);
    const done = await waitFor(async () => {
      const s = await status(id);
      return s.state === "completed" && s.answered === PCS.length ? s : undefined;
    }, { timeoutMs: 30_000, what: "the rollout completed" });
    expect(done).toMatchObject({ sent: 5, failed: 0, failure_rate: 0 });
    expect(ran("wav-good").sort()).toEqual(PCS);
  });

  it("pause holds it, resume lets it go on, abort ends it (each audited)", { timeout: 60_000 }, async () => {
    await job("wav-manual", 0);
    const id = await start("wav-manual", "canary:0m,100%:1h");
    expect((await kanade("rollout", "pause", id)).stdout).toContain(": paused");
    expect((await kanade("rollout", "resume", id)).stdout).toContain(": running");
    const aborted = await kanade("rollout", "abort", id);
    expect(aborted.stdout).toContain(": aborted — aborted by static-token");
    const again = await kanade("rollout", "resume", id);
    expect(again.code).toBe(1);
    const actions = (await backend.api<ListResponse<{ action: string }>>("GET", `/api/audit?target=${id}&limit=10`)).body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["rollout.start", "rollout.pause", "rollout.resume", "rollout.abort"]));
  });

  it("a schedule with rollout: fires each occurrence wave by wave, and its coverage counts every wave's PCs", { timeout: 150_000 }, async () => {
    await job("wav-sched", 0);
    const from = new Date(Date.now() + 3_000).toISOString();
    writeFileSync(
      files.join("wave-schedule.yaml"),
      `id: wav-hourly\njob: wav-sched\nwhen: {per_target: {every: 1h}, tz: utc, active: {from: "${from}"}}\ntarget: {all: true}\nrollout:\n  waves: [{group: canary, after: 0m}, {percent: 100, after: 1s}]\n  min_results: 2\n`,
    );
    const created = await kanade("schedule", "create", files.join("wave-schedule.yaml"));
    expect(created.code, created.stderr).toBe(0);
    await waitFor(async () => {
      const r = await kanade("schedule", "coverage", "wav-hourly", "--json");
      if (r.code !== 0) throw new Error(r.stderr);
      const c = JSON.parse(r.stdout) as ScheduleCoverage;
      return c.counts.ok === PCS.length;
    }, { timeoutMs: 100_000, intervalMs: 500, what: "every PC ok through the schedule's rollout" });
    const rollouts = JSON.parse((await kanade("rollout", "status", "--json")).stdout) as RolloutView[];
    const mine = rollouts.filter((r) => r.job_id === "wav-sched");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ state: "completed", created_by: "schedule:wav-hourly", sent: PCS.length });
    expect(ran("wav-sched").sort()).toEqual(PCS);
  });
});
