import type { RunAs, Shell } from "@kanade/protocol/wire";
import type { ReapOutcome } from "./orphans.js";
import type { OsEvent } from "./session-events.js";

/** What a tree kill left behind, checked after the kill (Platform.killTree). */
export interface KillReport {
  /** Processes of the tree still running after the kill and the wait for them: empty when all is gone. */
  survivors: number[];
  /** Why the kill itself failed or could not be checked (e.g. taskkill's own error), when it did. */
  problem?: string;
}

/** A program and its arguments, as given to `spawn`. */
export interface Argv {
  file: string;
  args: string[];
}

/** What differs between operating systems when starting and killing a script. */
export interface Platform {
  readonly name: "posix" | "windows";
  /** Why `shell` cannot run here (not installed / not on this OS); undefined when it can. */
  unsupportedReason(shell: Shell): string | undefined;
  /** The argv to start, adjusted for `run_as` where the OS supports it. */
  argv(base: Argv, runAs: RunAs): Argv;
  /** Options that make the child killable as a whole tree. */
  readonly spawnOptions: { detached: boolean; windowsHide: boolean };
  /**
   * Hard-kills the process and every descendant, then checks they are gone (waiting a few seconds for
   * the OS to finish); what is still running is reported, never assumed dead.
   */
  killTree(pid: number): Promise<KillReport>;
  /**
   * When `pid` started, in a form that differs for a later process reusing the pid; undefined when
   * this OS (or the moment: the process already exited) does not tell.
   */
  processStartTime(pid: number): Promise<string | undefined>;
  /**
   * After an agent crash: kills what is left of the script tree that was started as `pid` at `start`
   * by the previous agent process. A process that merely reuses the pid is never touched.
   */
  reapOrphan(pid: number, start: string): Promise<ReapOutcome>;
  /** Logons, logoffs, locks and shutdowns the OS logged at or after `since` (timeline events); absent where unknown. */
  sessionEvents?(since: Date): Promise<OsEvent[]>;
}
