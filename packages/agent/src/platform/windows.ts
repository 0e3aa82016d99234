/**
 * Windows: taskkill for trees, checked against the process table afterwards; `user`/`system_gui` need
 * a session launcher (a later issue).
 */
import { execFile } from "node:child_process";
import type { Shell } from "@kanade/protocol/wire";
import type { ReapOutcome } from "./orphans.js";
import { waitUntilGone } from "./kill-check.js";
import type { Argv, KillReport, Platform } from "./types.js";
import { findOnPath } from "./path-lookup.js";
import { parseWindowsEvents, windowsEventsQuery } from "./windows-events.js";
import { parseProcessTable, parseStartTime, PROCESS_TABLE_QUERY, startTimeQuery, stillRunningWin, taskkillPidsArgv, treeToKill, type WinProcess } from "./windows-processes.js";

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

/** Runs a tool; resolves with its error text (exit code and output) when it fails, undefined when it succeeds. */
function runReporting(argv: Argv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(argv.file, argv.args, { windowsHide: true, timeout: QUERY_TIMEOUT_MS, encoding: "utf8" }, (err, stdout, stderr) => {
      if (!err) return resolve(undefined);
      const said = `${stdout}${stderr}`.trim().replace(/\s+/g, " ");
      resolve(`${argv.file} ${argv.args.join(" ")}: ${err.message.split("\n")[0]}${said ? ` (${said.slice(0, 300)})` : ""}`);
    });
  });
}

/**
 * taskkill /T /F, then the process table again: whatever of the tree (seen before the kill) still runs
 * gets a second taskkill by pid (no /T), and what survives that is reported. taskkill can fail for one
 * process (access denied, a protected process, Wine without /T) and still exit as if it had tried.
 */
async function killTreeChecked(pid: number, table: () => Promise<WinProcess[]>): Promise<KillReport> {
  const problems: string[] = [];
  let tree: WinProcess[] = [];
  try {
    const before = await table();
    const root = before.find((p) => p.pid === pid);
    if (root) {
      const pids = new Set(treeToKill({ pid, start: root.created }, before));
      tree = before.filter((p) => pids.has(p.pid));
    }
  } catch (err) {
    problems.push(`could not read the process table: ${(err as Error).message}`);
  }
  const first = await runReporting(taskkillArgv(pid));
  if (first !== undefined) problems.push(first);
  if (tree.length === 0) {
    return problems.length > 0 ? { survivors: [], problem: problems.join("; ") } : { survivors: [] };
  }
  const left = async (): Promise<number[]> => stillRunningWin(tree, await table());
  let survivors = await waitUntilGone(left);
  if (survivors.length > 0) {
    const second = await runReporting(taskkillPidsArgv(survivors));
    if (second !== undefined) problems.push(second);
    survivors = await waitUntilGone(left);
  }
  return problems.length > 0 ? { survivors, problem: problems.join("; ") } : { survivors };
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
    sessionEvents: async (since) => parseWindowsEvents(await powershell(windowsEventsQuery(since))),
    killTree: (pid) => killTreeChecked(pid, async () => parseProcessTable(await powershell(PROCESS_TABLE_QUERY))),
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
