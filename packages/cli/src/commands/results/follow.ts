/**
 * `kanade results --follow <exec_id> [--pc <pc>]`: prints what running scripts write while they run (issue 17 §2).
 * Polls the agents' live tails through the backend while it follows, so nothing is sent once it stops; a PC that
 * finished is completed from its stored result, so nothing is lost between the last poll and the end.
 */
import { FINAL_EXECUTION_STATES, type ExecutionRow, type StreamTail } from "@kanade/protocol";
import type { Deps } from "../../deps.js";
import { badInput, CliError } from "../../errors.js";
import { escapeTerminal } from "../../output.js";

const POLL_MS = 500;
/** Interleaving more PCs than this is unreadable; name one with --pc. */
const MAX_FOLLOWED = 20;

interface Followed {
  pc: string;
  /** Bytes of each stream printed so far. */
  at: { stdout: number; stderr: number };
  /** With several PCs, each line is prefixed: the unfinished end of the last chunk waits for its newline. */
  partial: { stdout: string; stderr: string };
  done: boolean;
  status?: string;
}

type Stream = "stdout" | "stderr";

export async function followRun(deps: Deps, execId: string, onlyPc: string | undefined): Promise<void> {
  const followed = new Map<string, Followed>();
  // Known from the first answer on: the execution's PCs (or the one named).
  let multi = false;
  const several = (): boolean => multi;
  const write = (f: Followed, stream: Stream, text: string, flush = false): void => {
    const emit = (s: string): void => (stream === "stdout" ? deps.io.out(escapeTerminal(s)) : deps.io.err(escapeTerminal(s)));
    if (!several()) return text === "" ? undefined : emit(text);
    const all = f.partial[stream] + text;
    const cut = flush ? all.length : all.lastIndexOf("\n") + 1;
    f.partial[stream] = all.slice(cut);
    const lines = all.slice(0, cut);
    if (lines === "") return;
    emit(lines.replace(/^(?=.)/gm, `${f.pc} | `) + (lines.endsWith("\n") ? "" : "\n"));
  };
  const note = (f: Followed, stream: Stream, t: StreamTail): void => {
    if (t.skipped > 0) deps.io.err(`[${f.pc}: ${t.skipped} bytes of ${stream} were written faster than they were followed and are not shown]\n`);
    write(f, stream, t.text);
    f.at[stream] = t.next;
  };
  /** The rest of a finished PC's output, from its stored result. */
  const finish = async (f: Followed, row: ExecutionRow): Promise<void> => {
    f.done = true;
    f.status = row.status;
    if (row.result_id === null) return;
    const r = await deps.client.call("getResult", { params: { result_id: row.result_id } });
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = Buffer.from(r[stream], "utf8").subarray(f.at[stream]).toString("utf8");
      write(f, stream, rest, true);
    }
  };

  for (;;) {
    const detail = await deps.client.call("getExecution", { params: { exec_id: execId } });
    const rows = (detail.rows ?? []).filter((r) => onlyPc === undefined || r.pc_id === onlyPc);
    if (onlyPc !== undefined && rows.length === 0) throw badInput(`${onlyPc} is not a target of execution ${execId}`);
    if (rows.length > MAX_FOLLOWED) throw badInput(`execution ${execId} has ${rows.length} PCs; follow one with --pc <pc>`);
    const ended = FINAL_EXECUTION_STATES.includes(detail.state);
    multi = rows.length > 1;
    for (const row of rows) {
      const f = followed.get(row.pc_id) ?? { pc: row.pc_id, at: { stdout: 0, stderr: 0 }, partial: { stdout: "", stderr: "" }, done: false };
      followed.set(row.pc_id, f);
      if (f.done) continue;
      if (row.status === "running") {
        const tail = await deps.client
          .call("tailRun", { params: { exec_id: execId }, query: { pc: row.pc_id, stdout_from: f.at.stdout, stderr_from: f.at.stderr } })
          .catch((err: unknown) => {
            // An agent that does not answer now (offline, busy) is asked again next round.
            if (err instanceof Error && "code" in err && err.code === "TIMEOUT") return undefined;
            throw err;
          });
        if (tail) {
          note(f, "stdout", tail.stdout);
          note(f, "stderr", tail.stderr);
        }
      } else if (row.status !== "pending") await finish(f, row);
      else if (ended) {
        f.done = true;
        f.status = "pending";
      }
    }
    if (rows.length > 0 && [...followed.values()].every((f) => f.done)) break;
    await deps.sleep(POLL_MS);
  }
  const failed = [...followed.values()].filter((f) => f.status !== "succeeded");
  if (several() || failed.length > 0) for (const f of followed.values()) deps.io.err(`[${f.pc}: ${f.status}]\n`);
  if (failed.length > 0) throw new CliError(`${failed.length} of ${followed.size} PC(s) did not succeed`, { code: "RUN_FAILED" });
}
