/** Linux/macOS: the script gets its own process group, so one signal reaches the whole tree. */
import type { Shell } from "@kanade/protocol";
import type { Platform } from "./types.js";
import { findOnPath } from "./path-lookup.js";

const BINARIES: Record<Shell, string> = { powershell: "powershell", pwsh: "pwsh", cmd: "cmd", sh: "sh", bash: "bash" };

export function posixPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  const found = new Map<Shell, boolean>();
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
    killTree(pid) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch (err) {
        // ESRCH: the group is already gone, which is what we wanted.
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
      }
    },
  };
}
