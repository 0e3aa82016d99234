/**
 * Chaos soak: N simulated agents (`kanade-agent simulate`), E execs of an echo job with a jitter window,
 * and the broker restarted R times while runs are in flight (their results wait in the agents' outboxes).
 * Real nats-server, real backend process, real simulator process. Prints one JSON line:
 * `{results_expected, results_projected, duplicates, lost}` counted through `GET /api/results`.
 *
 *   npm run bench:chaos                                   # 200 agents, 20 execs, 3 restarts
 *   CHAOS_AGENTS=50 CHAOS_EXECS=8 CHAOS_RESTARTS=2 npm run bench:chaos
 */
import { sleep, waitFor } from "@kanade/testkit";
import { HttpError, waitAgentsOnline, withBackend, type Api } from "./lib.js";

const AGENTS = Number(process.env.CHAOS_AGENTS ?? 200);
const EXECS = Number(process.env.CHAOS_EXECS ?? 20);
const RESTARTS = Number(process.env.CHAOS_RESTARTS ?? 3);
/** Runs are spread over this window, so many finish while the broker is down. */
const JITTER = process.env.CHAOS_JITTER ?? "6s";
const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_MS ?? 4_000);
/** After a restart: the agents' reconnect backoff is 2 s + up to 1 s of jitter. */
const RECONNECT_SETTLE_MS = 6_000;
const TOKEN = "chaos-token-0123456789abcdef-0123456789";
const JOB = `id: chaos-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo chaos\n  timeout: 60s\n`;

interface Row {
  result_id: string;
  exec_id: string;
  pc_id: string;
  finished_at: string;
}

/** Every projected row of the job, through the API's cursor. */
async function allRows(api: Api): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const page: { items: Row[]; next_cursor: string | null } = await api("GET", `/api/results?job_id=chaos-echo&limit=500&cursor=${cursor}`);
    rows.push(...page.items);
    cursor = page.next_cursor;
  }
  return rows;
}

/** Fires one exec at the whole fleet, retrying while the backend answers 503 (broker away). */
async function fire(api: Api): Promise<string> {
  return waitFor(async () => {
    try {
      return (await api<{ exec_id: string }>("POST", "/api/exec/chaos-echo", { all: true, jitter: JITTER })).exec_id;
    } catch (err) {
      if (err instanceof HttpError && err.status === 503) return undefined;
      throw err;
    }
  }, { timeoutMs: 60_000, intervalMs: 250, what: "an accepted exec" });
}

await withBackend("kanade-chaos-", TOKEN, async ({ nats, api, simulate }) => {
  simulate(AGENTS, ["--prefix", "chaos-"]);
  await waitAgentsOnline(api, AGENTS, { timeoutMs: 120_000, intervalMs: 500 });
  await api("POST", "/api/jobs", JOB, "application/yaml");

  // Execs go out in R+1 rounds; after each round but the last, the broker goes away mid-jitter.
  const execIds: string[] = [];
  const outages: { from: number; to: number }[] = [];
  const rounds = RESTARTS + 1;
  for (let round = 0; round < rounds; round++) {
    const inRound = Math.ceil((EXECS - execIds.length) / (rounds - round));
    for (let i = 0; i < inRound; i++) execIds.push(await fire(api));
    if (round === rounds - 1) break;
    await sleep(1_000);
    const from = Date.now();
    await nats.stop();
    await sleep(OUTAGE_MS);
    await nats.start();
    outages.push({ from, to: Date.now() });
    await sleep(RECONNECT_SETTLE_MS);
  }

  const expected = execIds.length * AGENTS;
  // Settled: everything arrived, or nothing new for 20 s.
  let last = -1;
  let stableSince = Date.now();
  let rows: Row[] = [];
  for (;;) {
    rows = await allRows(api);
    if (rows.length !== last) {
      last = rows.length;
      stableSince = Date.now();
    }
    if (rows.length >= expected || Date.now() - stableSince > 20_000) break;
    await sleep(1_000);
  }
  const unique = new Set(rows.map((r) => `${r.exec_id}/${r.pc_id}`)).size;
  console.log(
    JSON.stringify({
      bench: "chaos",
      agents: AGENTS,
      execs: execIds.length,
      broker_restarts: RESTARTS,
      results_expected: expected,
      results_projected: rows.length,
      duplicates: rows.length - unique,
      lost: expected - unique,
      // Runs that finished while the broker was away: their results could only arrive via the outbox.
      finished_during_outage: rows.filter((r) => outages.some((o) => Date.parse(r.finished_at) >= o.from && Date.parse(r.finished_at) <= o.to)).length,
    }),
  );
});
