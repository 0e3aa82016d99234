/** Windows: taskkill for trees; `user`/`system_gui` need a session launcher (a later issue). */
import { execFile, spawn } from "node:child_process";
import type { Shell } from "@kanade/protocol/wire";
import type { ReapOutcome } from "./orphans.js";
import type { Argv, Platform } from "./types.js";
import { findOnPath } from "./path-lookup.js";
import { parseProcessTable, parseStartTime, PROCESS_TABLE_QUERY, startTimeQuery, taskkillPidsArgv, treeToKill } from "./windows-processes.js";

const BINARIES: Record<Shell, string> = { powershell: "powershell.exe", pwsh: "pwsh.exe", cmd: "cmd.exe", sh: "sh.exe", bash: "bash.exe" };
const QUERY_TIMEOUT_MS = 30_000;

/** argv for `taskkill`, which ends the process and all its descendants. */
export const taskkillArgv = (pid: number): Argv => ({ file: "taskkill.exe", args: ["/T", "/F", "/PID", String(pid)] });

/** Runs one PowerShell command and resolves with its stdout; rejects when it cannot run or fails. */
function powershell(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "powershell.exe",
      ["-NoProfile", "-NonInteractive", "-Command", command],
      { windowsHide: true, timeout: QUERY_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

function run(argv: Argv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(argv.file, argv.args, { windowsHide: true, timeout: QUERY_TIMEOUT_MS }, (err) => (err ? reject(err) : resolve()));
  });
}

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
    // A Job Object with kill-on-close would need a native addon; instead the pid and creation time
    // are recorded, and the next agent process kills what is left (reapOrphan).
    async processStartTime(pid) {
      return parseStartTime(await powershell(startTimeQuery(pid)));
    },
    async reapOrphan(pid, start): Promise<ReapOutcome> {
      const pids = treeToKill({ pid, start }, parseProcessTable(await powershell(PROCESS_TABLE_QUERY)));
      if (pids.length === 0) return { state: "gone" };
      try {
        await run(taskkillPidsArgv(pids));
      } catch (err) {
        // taskkill exits non-zero when one of them ended meanwhile; the others are still killed.
        return { state: "killed", pids, problem: `taskkill: ${(err as Error).message}` };
      }
      return { state: "killed", pids };
    },
  };
}
