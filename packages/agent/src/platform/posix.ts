/** Linux/macOS: the script gets its own process group, so one signal reaches the whole tree. */
import { existsSync } from "node:fs";
import type { Shell } from "@kanade/protocol/wire";
import { readProcStat, readProcTable, survivingGroup } from "./linux-processes.js";
import type { ReapOutcome } from "./orphans.js";
import type { Platform } from "./types.js";
import { findOnPath } from "./path-lookup.js";

const BINARIES: Record<Shell, string> = { powershell: "powershell", pwsh: "pwsh", cmd: "cmd", sh: "sh", bash: "bash" };

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch (err) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

export function posixPlatform(env: NodeJS.ProcessEnv = process.env, procRoot = "/proc"): Platform {
  const found = new Map<Shell, boolean>();
  // macOS has no /proc: there, a process's start time is not read and orphans are not reaped.
  const hasProc = (): boolean => existsSync(`${procRoot}/self/stat`);
  return {
    name: "posix",
    unsupportedReason(shell) {
      if (shell === "cmd" || shell === "powershell") return `shell ${shell} runs only on Windows`;
      if (!found.has(shell)) found.set(shell, findOnPath(BINARIES[shell], env, false) !== undefined);
      return found.get(shell) ? undefined : `shell ${shell} is not installed on this agent (not on PATH)`;
    },
    // run_as is recorded in the result; on POSIX the script runs as the agent's own user.
    argv: (base) => base,
    spawnOptions: { detached: true, windowsHide: false },
    killTree: killGroup,
    async processStartTime(pid) {
      return hasProc() ? readProcStat(pid, procRoot)?.startTicks : undefined;
    },
    async reapOrphan(pid, start): Promise<ReapOutcome> {
      if (!hasProc()) return { state: "unverifiable", reason: `no ${procRoot} to tell pid ${pid} from a recycled one` };
      const pids = survivingGroup({ pid, start }, readProcTable(procRoot));
      if (pids.length === 0) return { state: "gone" };
      killGroup(pid);
      return { state: "killed", pids };
    },
  };
}
