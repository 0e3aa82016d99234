/** Progress of a running execution: one line, rewritten on a TTY, printed on change otherwise. */
import { FINAL_EXECUTION_STATES, type ExecutionSummary } from "@kanade/protocol";
import type { Io } from "./output.js";

type Progress = Pick<ExecutionSummary, "counts" | "target_count" | "state" | "killed_at">;

/** `2/3 done, 1 running, 0 pending`, plus `, 3 not sent` after a failed publish. */
export function progressLine(p: Progress): string {
  const notSent = p.counts.not_sent ? `, ${p.counts.not_sent} not sent` : "";
  const base = `${p.counts.done}/${p.target_count} done, ${p.counts.running} running, ${p.counts.pending} pending${notSent}`;
  return p.state === "pending_approval" ? `${base} (waiting for approval)` : base;
}

/**
 * Finished when every target reported, the backend says the execution is over, or it was killed and
 * nothing is running any more (a kill withdraws the command, so pending PCs never report).
 */
export function isFinished(p: Progress): boolean {
  if (p.killed_at !== undefined && p.counts.running === 0) return true;
  return p.counts.done >= p.target_count || FINAL_EXECUTION_STATES.includes(p.state);
}

export class ProgressReporter {
  private last: string | undefined;
  constructor(private readonly io: Io) {}

  update(line: string): void {
    if (line === this.last) return;
    this.last = line;
    // On a terminal, rewrite the same line; in a log file, print only changes so it stays readable.
    this.io.err(this.io.stderrIsTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Ends the rewritten line so what follows starts on a fresh one. */
  finish(): void {
    if (this.io.stderrIsTTY && this.last !== undefined) this.io.err("\n");
  }
}
