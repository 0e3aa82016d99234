/** How a command becomes an outcome; the real agent spawns processes, the simulator fakes them. */
import type { Command } from "@kanade/protocol/wire";
import type { ReapOutcome, SpawnedProcess } from "../platform/index.js";
import type { ScriptEvents } from "../events/script-events.js";

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
  /** What the script wrote to `KANADE_EVENTS_FILE`, validated (real runs only). */
  events?: ScriptEvents;
}

export interface RunContext {
  cmd: Command;
  pcId: string;
  /** Aborted by `kill.<exec_id>` or agent stop. */
  signal: AbortSignal;
  /** Folder for the whole stdout/stderr when a stream outgrows the inline cap (uploaded by the outbox). */
  outputDir?: string;
  /** Called once the script's first process exists, so a crash of the agent can be cleaned up after. */
  onSpawn?(process: SpawnedProcess): void;
  /** Every chunk of output as the script writes it (live tails). */
  onOutput?(stream: "stdout" | "stderr", chunk: Buffer): void;
}

export interface Executor {
  /** Why this command cannot run here (→ skipped 122); undefined when it can. */
  unsupportedReason(cmd: Command): string | undefined;
  run(ctx: RunContext): Promise<RunOutcome>;
  /** After an agent crash: ends what is left of a script a previous agent process started (see Platform.reapOrphan). */
  reapOrphan?(process: SpawnedProcess): Promise<ReapOutcome>;
  /** After an agent crash, before any new run: removes staging folders no run owns any more. */
  removeLeftoverStaging?(): Promise<void>;
}
