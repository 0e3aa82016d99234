/** How a command becomes an outcome; the real agent spawns processes, the simulator fakes them. */
import type { Command } from "@kanade/protocol";

export interface RunOutcome {
  status: "succeeded" | "failed" | "timed_out" | "killed" | "error";
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The whole stream in a file, when it outgrew the inline cap and the run had an outputDir. */
  stdoutFile?: string;
  stderrFile?: string;
  error?: string;
}

export interface RunContext {
  cmd: Command;
  pcId: string;
  /** Aborted by `kill.<exec_id>` or agent stop. */
  signal: AbortSignal;
  /** Folder for the whole stdout/stderr when a stream outgrows the inline cap (uploaded by the outbox). */
  outputDir?: string;
}

export interface Executor {
  /** Why this command cannot run here (→ skipped 122); undefined when it can. */
  unsupportedReason(cmd: Command): string | undefined;
  run(ctx: RunContext): Promise<RunOutcome>;
}
