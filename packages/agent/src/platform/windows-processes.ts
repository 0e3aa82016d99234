/**
 * Windows process identity: a pid plus its creation time (FILETIME, 100 ns ticks since 1601) names one
 * process for good. Windows reuses pids quickly and keeps a dead parent's pid in its children's
 * ParentProcessId, so a tree is walked only through children created after their parent. Read with
 * PowerShell's CIM cmdlets (no native addon); the queries are parse-checked in
 * test/powershell-parse.test.ts. NOTE: only the pure parts below are tested; nothing here has run on Windows.
 */
import type { SpawnedProcess } from "./orphans.js";
import type { Argv } from "./types.js";

/** Prints one line per process: `<pid> <parent pid> <creation FILETIME>` (0 when Windows gives none). */
export const PROCESS_TABLE_QUERY =
  'Get-CimInstance Win32_Process | ForEach-Object { "$($_.ProcessId) $($_.ParentProcessId) $(if ($_.CreationDate) { $_.CreationDate.ToFileTimeUtc() } else { 0 })" }';

/** Prints the creation FILETIME of one process, or nothing when it does not exist. */
export const startTimeQuery = (pid: number): string =>
  `Get-CimInstance Win32_Process -Filter "ProcessId=${Math.trunc(pid)}" | ForEach-Object { $_.CreationDate.ToFileTimeUtc() }`;

export interface WinProcess {
  pid: number;
  ppid: number;
  /** FILETIME as decimal text: past 2^53, so compared as BigInt. */
  created: string;
}

/** Lines of PROCESS_TABLE_QUERY; anything else (a warning, a blank line) is skipped. */
export function parseProcessTable(text: string): WinProcess[] {
  const out: WinProcess[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m && m[3] !== "0") out.push({ pid: Number(m[1]), ppid: Number(m[2]), created: m[3]! });
  }
  return out;
}

/** The output of startTimeQuery: one FILETIME, or undefined. */
export function parseStartTime(text: string): string | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) && t !== "0" ? t : undefined;
}

/**
 * Pids to kill of the recorded script tree: the root (if the pid still has the recorded creation
 * time) and every descendant created after its parent. When the root has exited, its orphans are the
 * processes whose ParentProcessId is the root's pid, created after the root, and before any later
 * process that now holds that pid (whose own children would otherwise look the same).
 */
export function treeToKill(root: Required<SpawnedProcess>, table: readonly WinProcess[]): number[] {
  const born = (p: WinProcess): bigint => BigInt(p.created);
  const rootStart = BigInt(root.start);
  const holder = table.find((p) => p.pid === root.pid);
  let seeds: WinProcess[];
  if (holder && holder.created === root.start) {
    seeds = [holder];
  } else {
    const reusedAt = holder ? born(holder) : undefined;
    seeds = table.filter((p) => p.ppid === root.pid && p.pid !== root.pid && born(p) >= rootStart && (reusedAt === undefined || born(p) < reusedAt));
  }
  const picked = new Map<number, WinProcess>(seeds.map((p) => [p.pid, p]));
  const queue = [...seeds];
  for (let parent = queue.shift(); parent; parent = queue.shift()) {
    for (const child of table) {
      if (child.ppid !== parent.pid || child.pid === parent.pid || picked.has(child.pid) || born(child) < born(parent)) continue;
      picked.set(child.pid, child);
      queue.push(child);
    }
  }
  return [...picked.keys()];
}

/** `taskkill /F` for exactly these pids (the tree is already resolved, so no /T). */
export const taskkillPidsArgv = (pids: readonly number[]): Argv => ({
  file: "taskkill.exe",
  args: ["/F", ...pids.flatMap((p) => ["/PID", String(p)])],
});

/** Which of `tree` still run in `table`: the same pid with the same creation time. */
export function stillRunningWin(tree: readonly WinProcess[], table: readonly WinProcess[]): number[] {
  const now = new Map(table.map((p) => [p.pid, p.created]));
  return tree.filter((p) => now.get(p.pid) === p.created).map((p) => p.pid);
}
