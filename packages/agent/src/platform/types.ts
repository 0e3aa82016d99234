import type { RunAs, Shell } from "@kanade/protocol";

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
  /** Hard-kills the process and every descendant. */
  killTree(pid: number): void;
}
