/**
 * Linux process identity from /proc: a pid plus its start time (field 22 of /proc/<pid>/stat, clock
 * ticks since boot) names one process for good, so a recycled pid is never mistaken for a script the
 * previous agent process started. Pure parsing and planning here; posix.ts does the reading and killing.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { SpawnedProcess } from "./orphans.js";

export interface ProcStat {
  pid: number;
  /** Field 3: R, S, D, Z (zombie: exited, not yet reaped), ... */
  state: string;
  ppid: number;
  /** Process group id; a script spawned `detached` leads its own group (pgrp = its pid). */
  pgrp: number;
  session: number;
  /** Field 22, as text: compared for equality, never used as a number of seconds. */
  startTicks: string;
}

/** `/proc/<pid>/stat`: the name in parentheses may hold spaces and `)`, so fields are counted after the LAST `)`. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const state = rest[0] ?? "";
  const [ppid, pgrp, session] = [rest[1], rest[2], rest[3]].map(Number);
  const startTicks = rest[19];
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgrp) || !Number.isInteger(session)) return undefined;
  if (startTicks === undefined || !/^\d+$/.test(startTicks)) return undefined;
  return { pid, state, ppid: ppid!, pgrp: pgrp!, session: session!, startTicks };
}

/**
 * Pids of the recorded script's process group that are still running (zombies have already exited);
 * empty when it is gone.
 * While the leader lives, its start time must match (else the pid was recycled and the group is not
 * ours). Once the leader has exited, Linux keeps its pid reserved as long as any member of its group
 * lives, so members with that pgrp that started no earlier than the leader are what remains of it.
 */
export function survivingGroup(leader: Required<SpawnedProcess>, table: readonly ProcStat[]): number[] {
  const self = table.find((p) => p.pid === leader.pid);
  if (self && self.startTicks !== leader.start) return [];
  const start = BigInt(leader.start);
  return table
    .filter((p) => p.pgrp === leader.pid && p.state !== "Z" && (self !== undefined || BigInt(p.startTicks) >= start))
    .map((p) => p.pid);
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    // The process exited between listing and reading, or /proc is not there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return undefined;
    throw err;
  }
};

export function readProcStat(pid: number, procRoot = "/proc"): ProcStat | undefined {
  const text = readText(`${procRoot}/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

/** Every process /proc lists right now. */
export function readProcTable(procRoot = "/proc"): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name), procRoot);
    if (stat) out.push(stat);
  }
  return out;
}

/**
 * The script tree rooted at `pid` as it stands now: the root, every descendant (through parent pids,
 * each started no earlier than its parent) and every member of the root's process group. A child that
 * left the group with setsid is still found through its parent.
 */
export function linuxTree(pid: number, table: readonly ProcStat[]): ProcStat[] {
  const root = table.find((p) => p.pid === pid);
  if (!root) return [];
  const picked = new Map<number, ProcStat>([[root.pid, root]]);
  for (const p of table) if (p.pgrp === pid) picked.set(p.pid, p);
  const queue = [...picked.values()];
  for (let parent = queue.shift(); parent; parent = queue.shift()) {
    for (const child of table) {
      if (child.ppid !== parent.pid || picked.has(child.pid) || BigInt(child.startTicks) < BigInt(parent.startTicks)) continue;
      picked.set(child.pid, child);
      queue.push(child);
    }
  }
  return [...picked.values()];
}

/** Which of `tree` still run in `table`: same pid and start time, and not a zombie. */
export function stillRunning(tree: readonly ProcStat[], table: readonly ProcStat[]): number[] {
  const now = new Map(table.map((p) => [p.pid, p]));
  return tree.filter((p) => {
    const q = now.get(p.pid);
    return q !== undefined && q.startTicks === p.startTicks && q.state !== "Z";
  }).map((p) => p.pid);
}
