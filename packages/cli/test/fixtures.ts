/** Test fixtures shared by the CLI's unit and process tests. */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { ExecutionDetail, ExecutionRow } from "@kanade/protocol";
import { CliError } from "../src/errors.js";
import type { Io } from "../src/output.js";

export const EXEC_ID = "0190c0de-0000-7000-8000-000000000001";

export function row(pc_id: string, status: ExecutionRow["status"], exit_code: number | null = null, duration_ms: number | null = null, out: string | null = null): ExecutionRow {
  return { pc_id, status, result_id: null, exit_code, started_at: null, finished_at: null, duration_ms, stdout_first_line: out };
}

/** An execution of `hello` whose counts and state agree with its rows, as the backend computes them. */
export function execution(rows: ExecutionRow[]): ExecutionDetail {
  const n = (s: string): number => rows.filter((r) => r.status === s).length;
  const done = rows.length - n("running") - n("pending");
  return {
    exec_id: EXEC_ID, job_id: "hello", version: "1.0.0", state: done === rows.length ? "completed" : "running",
    target: { pcs: rows.map((r) => r.pc_id) }, target_count: rows.length, created_at: "2026-01-01T00:00:00.000Z", issued_by: "op",
    counts: { total: rows.length, pending: n("pending"), running: n("running"), done, succeeded: n("succeeded"), failed: n("failed"), timed_out: 0, killed: 0, skipped: 0, error: 0 },
    rows,
  };
}

/** The CliError `fn` throws; fails the test if it throws nothing or something else. */
export function cliErrorOf(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error("expected a CliError");
}

/** The repo's example manifests (read in place, never written). */
export const EXAMPLES = fileURLToPath(new URL("../../../examples/jobs", import.meta.url));

/** An Io that records stderr writes, with the given terminal-ness. */
export function captureIo(stderrIsTTY = false): Io & { errWrites: string[] } {
  const errWrites: string[] = [];
  return { out: () => undefined, err: (t) => void errWrites.push(t), stderrIsTTY, color: false, errWrites };
}

/** A real HTTP server on a free port; `close` also drops open connections. */
export async function listen(handler: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
