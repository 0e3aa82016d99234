/**
 * Schedules bench: 1,000 schedules over 5,000 simulated agents for a simulated day at 60× speed (24 min of
 * wall time). The backend's firing loop (the real engine, claiming every fire in a real SQLite file) ticks on
 * a clock that runs 60× fast; the simulated agents answer each fire a simulated minute later (a results row),
 * which is what per-PC rules count from; the answers are written between ticks in batches, as the results
 * projector would. Publishing to NATS is left out: the exec fan-out has its own bench.
 * Prints one JSON line: fires, fire-time lateness p50/p95/max (simulated ms after the fire was due); the engine's
 * own lateness (a per-PC fire counted from when the answer it waited for was written, if that was after its due
 * time); how far the answers' writing lagged behind and its largest backlog; tick times; and the process CPU %
 * over the run (the answers' writing included).
 *
 *   npm run bench:schedules
 *   BENCH_SIM_HOURS=2 BENCH_SCHEDULES=200 npm run bench:schedules
 */
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { parseScheduleYaml, type ExecRequest, type Schedule } from "@kanade/protocol";
import { tempSqlite } from "@kanade/testkit";
import { openDatabase } from "../packages/backend/src/db/database.js";
import { openResultsStore } from "../packages/backend/src/results/store.js";
import { createEngine } from "../packages/backend/src/schedules/engine.js";
import { openFiresStore } from "../packages/backend/src/schedules/fires-store.js";
import { percentile } from "./lib.js";

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 1_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 5_000);
const SIM_HOURS = Number(process.env.BENCH_SIM_HOURS ?? 24);
const SPEED = Number(process.env.BENCH_SPEED ?? 60);
/** The backend's default schedule_tick, in simulated time. */
const TICK_SIM_MS = 15_000;
const GROUP_SIZE = 100;
const GROUPS = Math.ceil(AGENTS / GROUP_SIZE);
const ZONES = ["utc", "Europe/Berlin", "America/New_York", "Asia/Tokyo"];

const pcs = Array.from({ length: AGENTS }, (_, i) => `bench-pc-${String(i).padStart(5, "0")}`);
const members = (g: number): string[] => pcs.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);

/** A deterministic mix: 40% calendar, 30% per_target, 30% per_pc, each aimed at one group of 100 PCs. */
function makeSchedule(i: number): Schedule {
  const g = i % GROUPS;
  const tz = ZONES[i % ZONES.length]!;
  const hh = String(i % 24).padStart(2, "0");
  const mm = String((i * 7) % 60).padStart(2, "0");
  const rule =
    i % 10 < 4
      ? `calendar: {at: ["${hh}:${mm}", "${String((i + 12) % 24).padStart(2, "0")}:${mm}"], days: [mon-sun]}`
      : i % 10 < 7
        ? `per_target: {every: ${[15, 30, 60, 120, 360][i % 5]}m}`
        : `per_pc: {every: ${[1, 2, 6][i % 3]}h}`;
  const window = i % 5 === 0 ? `constraints: {window: "22:00-06:00"}\n` : "";
  const r = parseScheduleYaml(`id: bench-${i}\njob: bench-job\nwhen: {${rule}, tz: ${tz}}\ntarget: {groups: [g${g}]}\n${window}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.schedule;
}

const sqlite = tempSqlite();
const db = openDatabase(sqlite.path);
const fires = openFiresStore(db);
const results = openResultsStore(db);
const simStart = Date.parse("2026-12-07T00:00:00Z"); // a Monday
// Created when the simulated day starts: nothing from before it fires.
const schedules = Array.from({ length: SCHEDULES }, (_, i) => ({ schedule: makeSchedule(i), since: simStart }));
const wallStart = Date.now();
const simNow = (): number => simStart + (Date.now() - wallStart) * SPEED;
const lateness: number[] = [];
let pcFires = 0;
let launches = 0;
const answers: { at: number; execId: string; pcs: string[]; scheduleId: string | undefined }[] = [];
const engineLateness: number[] = [];
/** `schedule|pc` → simulated instant the PC's newest answer to a per-PC fire was written. */
const writtenAt = new Map<string, number>();
/** Simulated time from an answer's finished_at to its being written, one sample per batch. */
const answerLag: number[] = [];
const occurrenceOf = db.prepare("SELECT occurrence, pc_id FROM schedule_fires WHERE exec_id = ? LIMIT 1");

const engine = createEngine({
  fires,
  schedules: () => schedules,
  jobVersion: async () => "1.0.0",
  resolveTargets: async (t) => (t.groups ?? []).flatMap((g) => members(Number(g.slice(1)))),
  launch: async (s: Schedule, execId: string, request: ExecRequest) => {
    const now = simNow();
    launches++;
    const row = occurrenceOf.get(execId) as { occurrence: string; pc_id: string };
    const base = row.occurrence.replace(/#\d+$/, "");
    // Whole-target fires are due at their occurrence, per-PC ones at their due time. A fire that waited for its
    // window to open is not late, so it is left out of the lateness figures.
    const due = base === "first" ? simStart : Date.parse(base);
    const windowed = s.constraints.window !== undefined && now - due > TICK_SIM_MS * 2;
    if (!windowed) {
      lateness.push(now - due);
      // When the engine could know: a per-PC fire counts from its due time, or from when the PC's last answer
      // was written if that came later (the answers' backlog is the simulated agents', not the engine's).
      const written = s.when.per_pc !== undefined ? (writtenAt.get(`${s.id}|${row.pc_id}`) ?? due) : due;
      engineLateness.push(now - Math.max(due, written));
    }
    const targets = request.pcs ?? (request.groups ?? []).flatMap((g) => members(Number(g.slice(1))));
    if (request.pcs) pcFires += request.pcs.length;
    answers.push({ at: now + 60_000, execId, pcs: targets, scheduleId: s.when.per_pc !== undefined ? s.id : undefined });
  },
  launchRollout: async () => undefined,
  recordAgentFired: async () => undefined, // every bench schedule runs on the backend
  execExists: async () => true,
  held: async () => undefined,
  log: pino({ level: "silent" }),
  clock: () => new Date(simNow()),
});

/**
 * The simulated agents: each fire is answered one simulated minute after it went out. The answers are written as
 * the results projector takes them from the stream: in batches, yielding to the firing loop, at most
 * ANSWER_BUDGET of each tick period (a burst — 60,000 answers at the top of an hour — drains over a few ticks
 * instead of stopping the loop for seconds, which at 60× made every fire due meanwhile minutes late).
 */
const ANSWER_BATCH = 100;
const ANSWER_BUDGET = 0.4;
let answered = 0;
const backlog: { at: number; execId: string; pc: string; scheduleId: string | undefined }[] = [];
let backlogHead = 0;
async function answerDue(budgetMs: number): Promise<void> {
  const now = simNow();
  while (answered < answers.length && answers[answered]!.at <= now) {
    const a = answers[answered++]!;
    for (const pc of a.pcs) backlog.push({ at: a.at, execId: a.execId, pc, scheduleId: a.scheduleId });
  }
  const t0 = performance.now();
  // At least one batch per tick period, so a slow loop still drains the answers.
  for (let first = true; backlogHead < backlog.length && (first || performance.now() - t0 < budgetMs); first = false) {
    const batch = backlog.slice(backlogHead, backlogHead + ANSWER_BATCH);
    backlogHead += batch.length;
    await results.insertResults(
      batch.map((b) => ({
        result_id: uuidv7(),
        exec_id: b.execId,
        request_id: uuidv7(),
        job_id: "bench-job",
        version: "1.0.0",
        pc_id: b.pc,
        status: "succeeded" as const,
        exit_code: 0,
        stdout: "",
        stderr: "",
        stdout_truncated: false,
        stderr_truncated: false,
        started_at: new Date(b.at - 1_000).toISOString(),
        finished_at: new Date(b.at).toISOString(),
      })),
    );
    const written = simNow();
    answerLag.push(written - batch[0]!.at);
    for (const b of batch) if (b.scheduleId !== undefined) writtenAt.set(`${b.scheduleId}|${b.pc}`, written);
  }
  if (backlogHead > 100_000) {
    backlog.splice(0, backlogHead);
    backlogHead = 0;
  }
  if (answered > 10_000) {
    answers.splice(0, answered);
    answered = 0;
  }
  maxBacklog = Math.max(maxBacklog, backlog.length - backlogHead);
}
let maxBacklog = 0;

const cpu0 = process.cpuUsage();
const tickMs: number[] = [];
const endSim = simStart + SIM_HOURS * 3_600_000;
while (simNow() < endSim) {
  const t0 = performance.now();
  await engine.tick();
  tickMs.push(performance.now() - t0);
  // The agents' answers land in the same database (as the results projector's inserts would), outside the tick.
  const period = TICK_SIM_MS / SPEED;
  await answerDue(Math.max(0, period * ANSWER_BUDGET - (performance.now() - t0)));
  const wait = period - (performance.now() - t0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const wallMs = Date.now() - wallStart;
const cpu = process.cpuUsage(cpu0);
db.close();
sqlite.remove();

console.log(
  JSON.stringify({
    bench: "schedules",
    schedules: SCHEDULES,
    agents: AGENTS,
    sim_hours: SIM_HOURS,
    speed: SPEED,
    tick_sim_ms: TICK_SIM_MS,
    fires: launches,
    pc_commands: pcFires,
    lateness_sim_ms_p50: percentile(lateness, 50),
    lateness_sim_ms_p95: percentile(lateness, 95),
    lateness_sim_ms_max: Math.max(...lateness),
    engine_lateness_sim_ms_p50: percentile(engineLateness, 50),
    engine_lateness_sim_ms_p95: percentile(engineLateness, 95),
    engine_lateness_sim_ms_max: Math.max(...engineLateness),
    answer_lag_sim_ms_p95: percentile(answerLag, 95),
    answer_lag_sim_ms_max: Math.max(...answerLag),
    tick_ms_p50: Math.round(percentile(tickMs, 50)),
    tick_ms_p95: Math.round(percentile(tickMs, 95)),
    ticks: tickMs.length,
    answers_backlog_max: maxBacklog,
    cpu_pct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    wall_s: Math.round(wallMs / 1000),
  }),
);
