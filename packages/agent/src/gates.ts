/** The checks a command passes before it may run (SPEC §6 "Gates"); pure so every branch is unit-tested. */
import { parseDurationMs, SCRIPT_STATUS, SKIP_EXIT, type Command, type SkipExitCode } from "@kanade/protocol/wire";

/** What the agent last saw in the `script_status` / `script_current` buckets for one job. */
export interface ScriptFacts {
  status?: string;
  current?: string;
}

export interface GateInput {
  now: number;
  /** Is the agent connected to the broker right now? */
  connected: boolean;
  /** ms since the script-state cache was last known current; undefined when it never synced. */
  cacheAgeMs: number | undefined;
  facts: ScriptFacts;
  /** Why this agent cannot run the command's shell, when it cannot. */
  unsupported: string | undefined;
}

export type GateDecision = { run: true } | { run: false; exitCode: SkipExitCode; reason: string };

const skip = (exitCode: SkipExitCode, reason: string): GateDecision => ({ run: false, exitCode, reason });

/** The already-ran gate lives in the intake (it drops silently); these produce skipped results. */
export function evaluateGates(cmd: Command, input: GateInput): GateDecision {
  if (cmd.deadline_at !== undefined && Date.parse(cmd.deadline_at) < input.now) {
    return skip(SKIP_EXIT.DEADLINE_PASSED, `deadline ${cmd.deadline_at} passed before the agent could run it`);
  }
  const staleness = cmd.staleness;
  if (staleness.mode !== "unchecked") {
    if (input.facts.status === SCRIPT_STATUS.REVOKED) {
      return skip(SKIP_EXIT.REVOKED, `job ${cmd.job_id} is revoked`);
    }
    if (input.facts.current !== undefined && input.facts.current !== cmd.version) {
      return skip(
        SKIP_EXIT.VERSION_MISMATCH,
        `job ${cmd.job_id} version ${cmd.version} is not the current version ${input.facts.current}`,
      );
    }
  }
  if (staleness.mode === "strict") {
    const maxAgeMs = parseDurationMs(staleness.max_cache_age) ?? 0;
    if (!input.connected) return skip(SKIP_EXIT.STALENESS, "strict staleness: the agent is not connected to the broker");
    if (input.cacheAgeMs === undefined) return skip(SKIP_EXIT.STALENESS, "strict staleness: script state was never read");
    if (input.cacheAgeMs > maxAgeMs) {
      return skip(SKIP_EXIT.STALENESS, `strict staleness: script state is ${input.cacheAgeMs} ms old (max ${staleness.max_cache_age})`);
    }
  }
  if (input.unsupported !== undefined) return skip(SKIP_EXIT.UNSUPPORTED, input.unsupported);
  return { run: true };
}
