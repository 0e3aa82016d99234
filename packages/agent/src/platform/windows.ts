/** Windows: taskkill for trees; `user`/`system_gui` need a session launcher (a later issue). */
import { spawn } from "node:child_process";
import type { Shell } from "@kanade/protocol";
import type { Argv, Platform } from "./types.js";
import { findOnPath } from "./path-lookup.js";

const BINARIES: Record<Shell, string> = { powershell: "powershell.exe", pwsh: "pwsh.exe", cmd: "cmd.exe", sh: "sh.exe", bash: "bash.exe" };

/** argv for `taskkill`, which ends the process and all its descendants. */
export const taskkillArgv = (pid: number): Argv => ({ file: "taskkill.exe", args: ["/T", "/F", "/PID", String(pid)] });

export function windowsPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  const found = new Map<Shell, boolean>();
  return {
    name: "windows",
    unsupportedReason(shell) {
      if (!found.has(shell)) found.set(shell, findOnPath(BINARIES[shell], env, true) !== undefined);
      return found.get(shell) ? undefined : `shell ${shell} is not installed on this agent (not on PATH)`;
    },
    // The service runs as LocalSystem; `user`/`system_gui` (run in the console session) are recorded
    // in the result but still run as the service account until the session launcher lands.
    argv: (base) => base,
    spawnOptions: { detached: false, windowsHide: true },
    killTree(pid) {
      const { file, args } = taskkillArgv(pid);
      const child = spawn(file, args, { stdio: "ignore", windowsHide: true });
      child.once("error", (err) => process.emitWarning(`taskkill for pid ${pid} failed: ${err.message}`));
      child.unref();
    },
  };
}
