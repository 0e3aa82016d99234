/**
 * Fan-out bench: time from `POST /api/exec` to the moment all N results are visible through
 * `GET /api/executions/{id}`, for N simulated agents, beside the floor (bench/floor.ts: the same N
 * connections, one request, results through JetStream into SQLite in batches, nothing else). Real
 * nats-server, real backend process, real simulator process (`kanade-agent simulate`). Both are set up
 * at once and their runs alternate (floor, ours, floor, ours…), so a change in the machine's load hits
 * both alike. Prints one JSON line per N as soon as it is measured (floor, ours, ratio, and where the
 * time of the median run went), then a summary line.
 *
 *   npm run bench                      # N = 1000 and 5000, 5 runs each
 *   BENCH_SIZES=200 BENCH_RUNS=3 npm run bench
 *   BENCH_FLOOR=0 npm run bench        # ours only
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "@kanade/testkit";
import { floorFigures, medianCpu, startFloor, type Floor, type FloorFigures, type Run } from "./floor.js";
import { Tracer, type Breakdown, type Mark } from "./fanout-trace.js";
import { cpuSeconds, cpuSpent, percentile, waitAgentsOnline, withBackend, type Api, type CpuReading } from "./lib.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const withFloor = process.env.BENCH_FLOOR !== "0";
const TOKEN = "bench-token-0123456789abcdef-0123456789";
/** One request waits this long at most for the end (the API's limit is 30 s). */
const WAIT_MS = 30_000;
/** `BENCH_POLL_MS=10`: poll every 10 ms instead of waiting (how the bench measured before `wait_ms`; works on older backends). */
const POLL_MS = process.env.BENCH_POLL_MS ? Number(process.env.BENCH_POLL_MS) : undefined;
const TIMEOUT_MS = 300_000;
/**
 * With `BENCH_CPU_PROF`, each run's span on the monotonic clock V8's profiles use (µs), one JSON line per run in
 * `windows.jsonl` beside the profiles: a profile read only within them shows the fan-out, not the fleet's start.
 */
const profDir = process.env.BENCH_CPU_PROF;
const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
const noteWindow = (side: string, n: number, startUs: number): void => {
  if (profDir) appendFileSync(join(profDir, "windows.jsonl"), `${JSON.stringify({ side, agents: n, start_us: startUs, end_us: monoUs() })}\n`);
};

interface Figures {
  agents: number;
  runs: number;
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  fleet_ready_ms: number;
  /** CPU time of one exec (median): the broker, the backend and the simulator, user + system, in ms. */
  cpu_ms: number;
  /** `cpu_ms` of the exec with the median CPU time, per process. */
  cpu_split_ms: Record<string, number>;
  /** Where the time of the median run went (ms since the POST). */
  breakdown: Breakdown;
  /**
   * Every run's end, ms since its POST: the last result stored in RESULTS, the projector's last batch for it,
   * and when the API showed every result. The first gap is the PCs' side, the other two the backend's.
   */
  ends: [stored: number, projected: number, visible: number][];
}

/**
 * How many PCs have answered. With `waitMs` the request is answered once the execution has ended or after
 * `waitMs` (`?wait_ms=`), so the end is seen when the backend has it, without a poll interval on top and without
 * polls taking the backend's time meanwhile; the floor's figure, too, ends at the commit itself.
 */
const doneCount = async (api: Api, execId: string, waitMs?: number): Promise<number> =>
  (await api<{ counts: { done: number } }>("GET", `/api/executions/${execId}?rows=false${waitMs ? `&wait_ms=${waitMs}` : ""}`)).counts.done;

/** One exec to every agent; resolves with the marks the breakdown needs. `cpu` sums the CPU seconds of the processes involved. */
async function oneExec(api: Api, tracer: Tracer, n: number, cpu: () => CpuReading): Promise<{ execId: string; mark: Mark; ms: number; cpu: ReturnType<typeof cpuSpent> }> {
  const seqs = await tracer.sequences();
  const cpu0 = cpu();
  const t0 = Date.now();
  const start = performance.now();
  const startUs = monoUs();
  const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/bench-echo", { all: true });
  const postAnswered = Date.now();
  let polls = 0;
  for (;;) {
    polls += 1;
    if ((await doneCount(api, exec_id, POLL_MS === undefined ? WAIT_MS : undefined)) >= n) break;
    if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`all ${n} results of ${exec_id} not visible after ${TIMEOUT_MS} ms`);
    if (POLL_MS !== undefined) await sleep(POLL_MS);
  }
  const ms = performance.now() - start;
  noteWindow("ours", n, startUs);
  return { execId: exec_id, ms, cpu: cpuSpent(cpu0, cpu()), mark: { t0, postAnswered, visible: Date.now(), polls, ...seqs } };
}

interface Measured {
  ours: Figures;
  floor: FloorFigures | null;
  /** Median of ours ÷ floor over the alternating pairs of runs. */
  paired: number | null;
}

async function measure(n: number): Promise<Measured> {
  const floor: Floor | undefined = withFloor ? await startFloor(n) : undefined;
  try {
    return await withBackend("kanade-bench-", TOKEN, async ({ api, simulate, nats, dbPath, backend }) => {
      const t0 = Date.now();
      const sim = simulate(n);
      const cpu = (): CpuReading => ({ broker: cpuSeconds(nats.pid()!), agents: cpuSeconds(sim.pid!), backend: cpuSeconds(backend.pid!) });
      await waitAgentsOnline(api, n, { timeoutMs: TIMEOUT_MS, intervalMs: 500 });
      const fleetReady = Date.now() - t0;
      await api("POST", "/api/jobs", "id: bench-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n", "application/yaml");
      const tracer = await Tracer.open(nats.url, dbPath);
      try {
        const measured: { ms: number; cpu_ms: number; cpu_split_ms: Record<string, number>; breakdown: Breakdown }[] = [];
        const floorRuns: Run[] = [];
        for (let i = 0; i < runs; i++) {
          if (floor) {
            const startUs = monoUs();
            floorRuns.push(await floor.run());
            noteWindow("floor", n, startUs);
          }
          const { execId, mark, ms, cpu: spent } = await oneExec(api, tracer, n, cpu);
          const readStart = performance.now();
          await doneCount(api, execId);
          // Read before the next exec replaces the newest command on commands.all.
          measured.push({ ms, cpu_ms: spent.total, cpu_split_ms: spent.split, breakdown: await tracer.breakdown(execId, n, mark, performance.now() - readStart) });
        }
        const times = measured.map((m) => m.ms);
        const median = [...measured].sort((a, b) => a.ms - b.ms)[Math.ceil(measured.length / 2) - 1]!;
        return {
          ours: {
            agents: n,
            runs,
            median_ms: Math.round(percentile(times, 50)),
            p95_ms: Math.round(percentile(times, 95)),
            min_ms: Math.round(Math.min(...times)),
            max_ms: Math.round(Math.max(...times)),
            fleet_ready_ms: fleetReady,
            ...medianCpu(measured),
            breakdown: median.breakdown,
            ends: measured.map(({ breakdown: b }) => [b.results_stored[2], b.results_projected[1], b.visible]),
          },
          floor: floor ? floorFigures(n, floorRuns) : null,
          paired: floor ? round2(percentile(times.map((t, i) => t / floorRuns[i]!.ms), 50)) : null,
        };
      } finally {
        await tracer.close();
      }
    });
  } finally {
    await floor?.stop();
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

interface Line {
  agents: number;
  floor_ms: number | null;
  ours_ms: number;
  /** ours_ms ÷ floor_ms (medians). */
  ratio: number | null;
  /** Median of the ratios of each floor run and the ours run after it. */
  ratio_paired: number | null;
  /** ours.cpu_ms ÷ floor.cpu_ms: the work each side did, which other load on the machine barely moves. */
  cpu_ratio: number | null;
  floor: FloorFigures | null;
  ours: Figures;
}

const lines: Line[] = [];
for (const n of sizes) {
  const { ours, floor, paired } = await measure(n);
  const line: Line = {
    agents: n,
    floor_ms: floor?.median_ms ?? null,
    ours_ms: ours.median_ms,
    ratio: floor ? round2(ours.median_ms / floor.median_ms) : null,
    ratio_paired: paired,
    cpu_ratio: floor ? round2(ours.cpu_ms / floor.cpu_ms) : null,
    floor,
    ours,
  };
  lines.push(line);
  console.log(JSON.stringify({ bench: "fanout", ...line }));
}
console.log(
  JSON.stringify({
    bench: "fanout-summary",
    runs,
    results: lines.map(({ agents, floor_ms, ours_ms, ratio, ratio_paired, cpu_ratio }) => ({ agents, floor_ms, ours_ms, ratio, ratio_paired, cpu_ratio })),
  }),
);
