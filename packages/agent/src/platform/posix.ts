/** Linux/macOS: the script gets its own process group, so one signal reaches the whole tree. */
import { existsSync } from "node:fs";
import type { Shell } from "@kanade/protocol/wire";
import { waitUntilGone } from "./kill-check.js";
import { linuxTree, readProcStat, readProcTable, stillRunning, survivingGroup } from "./linux-processes.js";
import type { ReapOutcome } from "./orphans.js";
import type { KillReport, Platform } from "./types.js";
import { findOnPath } from "./path-lookup.js";
import { readLinuxSessions } from "./linux-sessions.js";

const BINARIES: Record<Shell, string> = { powershell: "powershell", pwsh: "pwsh", cmd: "cmd", sh: "sh", bash: "bash" };

/** SIGKILL to a pid (or to a group, negative); a process already gone is what we wanted. */
export function sigkill(target: number): void {
  try {
    process.kill(target, "SIGKILL");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

export interface PosixOptions {
  procRoot?: string;
  /** Sends SIGKILL; replaceable so a test can make a kill fail and watch the check catch it. */
  kill?: (target: number) => void;
}

export function posixPlatform(env: NodeJS.ProcessEnv = process.env, opts: PosixOptions = {}): Platform {
  const procRoot = opts.procRoot ?? "/proc";
  const kill = opts.kill ?? sigkill;
  const found = new Map<Shell, boolean>();
  // macOS has no /proc: there, a process's start time is not read and orphans are not reaped.
  const hasProc = (): boolean => existsSync(`${procRoot}/self/stat`);
  return {
    name: "posix",
    // wtmp through `last`, where the system has it (Linux); macOS's `last` prints another format.
    ...(process.platform === "linux" ? { sessionEvents: (since: Date) => readLinuxSessions(since) } : {}),
    unsupportedReason(shell) {
      if (shell === "cmd" || shell === "powershell") return `shell ${shell} runs only on Windows`;
      if (!found.has(shell)) found.set(shell, findOnPath(BINARIES[shell], env, false) !== undefined);
      return found.get(shell) ? undefined : `shell ${shell} is not installed on this agent (not on PATH)`;
    },
    // run_as is recorded in the result; on POSIX the script runs as the agent's own user.
    argv: (base) => base,
    spawnOptions: { detached: true, windowsHide: false },
    async killTree(pid): Promise<KillReport> {
      if (!hasProc()) {
        kill(-pid);
        return { survivors: [], problem: `no ${procRoot}: the kill of process group ${pid} could not be checked` };
      }
      // Seen before the kill: a child that left the group (setsid) is still found through its parent.
      const tree = linuxTree(pid, readProcTable(procRoot));
      const errors: string[] = [];
      const attempt = (target: number): void => {
        try {
          kill(target);
        } catch (err) {
          errors.push(`kill ${target}: ${(err as Error).message}`);
        }
      };
      attempt(-pid);
      for (const p of tree) if (p.pgrp !== pid) attempt(p.pid);
      const survivors = await waitUntilGone(() => stillRunning(tree, readProcTable(procRoot)));
      return errors.length > 0 ? { survivors, problem: errors.join("; ") } : { survivors };
    },
    async processStartTime(pid) {
      return hasProc() ? readProcStat(pid, procRoot)?.startTicks : undefined;
    },
    async reapOrphan(pid, start): Promise<ReapOutcome> {
      if (!hasProc()) return { state: "unverifiable", reason: `no ${procRoot} to tell pid ${pid} from a recycled one` };
      const pids = survivingGroup({ pid, start }, readProcTable(procRoot));
      if (pids.length === 0) return { state: "gone" };
      kill(-pid);
      return { state: "killed", pids };
    },
  };
}
