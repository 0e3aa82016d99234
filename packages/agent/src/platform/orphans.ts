/** What an agent restart found of a script tree that an earlier agent process left behind. */

/** The first process of a script, as recorded in its running marker. */
export interface SpawnedProcess {
  pid: number;
  /** When it started, in the OS's own unit (Linux: clock ticks since boot; Windows: FILETIME). */
  start?: string;
}

export type ReapOutcome =
  /** Something of the tree was still running and was killed. */
  | { state: "killed"; pids: number[]; problem?: string }
  /** Nothing of it is running any more (the pid is free, or now belongs to an unrelated process). */
  | { state: "gone" }
  /** This OS gives no way to tell the recorded process from one that reuses its pid: nothing was killed. */
  | { state: "unverifiable"; reason: string };
