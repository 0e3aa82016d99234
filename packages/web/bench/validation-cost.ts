/**
 * What checking answers against the route table's schemas costs the SPA: the same `client.call` with
 * `validateResponses` on and off, over a fetch that answers a prepared body at once (no network), so the
 * difference is the schema check alone. Runs in Node and, bundled, in Chromium (no node: imports).
 */
import { createApiClient, type AgentSummary, type CallableRouteName, type ExecutionDetail, type ExecutionSummary } from "@kanade/protocol";

const iso = (i: number): string => new Date(Date.UTC(2025, 0, 1, 0, 0, i % 3600)).toISOString();
const uuid = (i: number): string => `0190c3a5-7b2e-7c${String(i % 100).padStart(2, "0")}-8a1b-${String(i).padStart(12, "0")}`;

export function agentsAnswer(n: number): { items: AgentSummary[]; next_cursor: null } {
  const items = Array.from({ length: n }, (_, i): AgentSummary => ({
    pc_id: `PC-${String(i).padStart(5, "0")}`,
    online: i % 7 !== 0,
    hostname: `pc-${i}.corp.example`,
    os_family: "windows",
    os_version: "10.0.19045",
    agent_version: i % 10 === 0 ? "0.9.0" : "1.0.0",
    groups: i % 3 === 0 ? ["office", "tokyo"] : ["office"],
    last_seen: iso(i),
    agent_rss_bytes: 40_000_000 + i,
    agent_cpu_pct: 0.4,
    heartbeat_interval_secs: 30,
  }));
  return { items, next_cursor: null };
}

const counts = (n: number): ExecutionSummary["counts"] => ({
  total: n, pending: 0, running: 0, done: n, succeeded: n - 2, failed: 1, timed_out: 0, killed: 0, skipped: 1, error: 0,
});

export function executionsAnswer(n: number): { items: ExecutionSummary[]; next_cursor: string } {
  const items = Array.from({ length: n }, (_, i): ExecutionSummary => ({
    exec_id: uuid(i), job_id: "cleanup-disk-temp", version: "1.0.1", state: "completed", target: { groups: ["office"] },
    target_count: 3000, created_at: iso(i), issued_by: "olga", counts: counts(3000), manifest_digest: "ab".repeat(32), state_reason: null,
  }));
  return { items, next_cursor: "next" };
}

export function executionAnswer(rows: number): ExecutionDetail {
  return {
    ...executionsAnswer(1).items[0]!,
    target_count: rows,
    counts: counts(rows),
    rows: Array.from({ length: rows }, (_, i) => ({
      pc_id: `PC-${String(i).padStart(5, "0")}`, status: "succeeded" as const, result_id: uuid(i), exit_code: 0,
      started_at: iso(i), finished_at: iso(i + 3), duration_ms: 3000, stdout_first_line: "Removed 1,234 files",
    })),
  };
}

export interface Case {
  what: string;
  route: CallableRouteName;
  body: unknown;
}

export const CASES = (): Case[] => [
  { what: "agents list, 5,000 PCs (Agents page, every 10 s)", route: "listAgents", body: agentsAnswer(5000) },
  { what: "executions list, 500 (Dashboard, every 5 s)", route: "listExecutions", body: executionsAnswer(500) },
  { what: "execution detail, 5,000 rows (Execution page, every 1 s)", route: "getExecution", body: executionAnswer(5000) },
];

export interface Figures {
  what: string;
  route: string;
  bytes: number;
  off_ms_p50: number;
  on_ms_p50: number;
  on_ms_p95: number;
  /** p50(on) − p50(off): what the schema check adds to one call. */
  validation_ms_p50: number;
}

const p = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN) * 100) / 100;
};

/** Times `rounds` calls of each case with validation off and on, interleaved, after a warm-up. */
export async function measure(cases: Case[], rounds = 30, now: () => number = () => performance.now()): Promise<Figures[]> {
  const out: Figures[] = [];
  for (const c of cases) {
    const text = JSON.stringify(c.body);
    const answer = async (): Promise<Response> => new Response(text, { status: 200, headers: { "content-type": "application/json" } });
    const client = (validateResponses: boolean) => createApiClient({ baseUrl: "http://bench.invalid", fetch: answer, validateResponses });
    const on = client(true);
    const off = client(false);
    // Any required input is filled; the fetch ignores the URL.
    const input = { params: { exec_id: uuid(0) } } as never;
    const time = async (api: typeof on): Promise<number> => {
      const t0 = now();
      await api.call(c.route, input);
      return now() - t0;
    };
    for (let i = 0; i < 5; i++) {
      await time(on);
      await time(off);
    }
    const onMs: number[] = [];
    const offMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      onMs.push(await time(on));
      offMs.push(await time(off));
    }
    out.push({
      what: c.what, route: c.route, bytes: text.length,
      off_ms_p50: p(offMs, 0.5), on_ms_p50: p(onMs, 0.5), on_ms_p95: p(onMs, 0.95),
      validation_ms_p50: Math.round((p(onMs, 0.5) - p(offMs, 0.5)) * 100) / 100,
    });
  }
  return out;
}
