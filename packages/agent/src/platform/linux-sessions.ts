/**
 * Logons, logoffs and shutdowns on Linux, from `wtmp` as util-linux `last` prints it
 * (`last --time-format iso -w -x`). One line per session: user, tty, host, start, then `- end`, or
 * `still logged in`, `- crash`, `- down`, `gone - no logout`. Screen lock is not in wtmp: Linux reports none.
 */
import { execFile } from "node:child_process";
import type { OsEvent } from "./session-events.js";

export const LAST_ARGV = { file: "last", args: ["--time-format", "iso", "-w", "-x"] } as const;

const ISO_RE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)/g;
/** Pseudo-users of `last -x`: boots are reported from the boot time, run level changes are noise. */
const SKIPPED_USERS = new Set(["reboot", "runlevel", "wtmp", "btmp"]);

/** Parses `last` output into events at or after `since` (oldest first). Unknown lines are skipped. */
export function parseLastOutput(text: string, since: Date): OsEvent[] {
  const events: OsEvent[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (!line) continue;
    const [user, tty] = line.split(/\s+/, 2);
    if (!user || !tty || SKIPPED_USERS.has(user)) continue;
    const times = [...line.matchAll(ISO_RE)].map((m) => m[0]);
    const start = times[0];
    if (!start || Number.isNaN(Date.parse(start))) continue;
    const at = new Date(start).toISOString();
    if (user === "shutdown") {
      if (Date.parse(at) >= since.getTime()) events.push({ kind: "os_shutdown", at, source: "wtmp", key: `shutdown:${at}` });
      continue;
    }
    const key = `${user}:${tty}:${at}`;
    if (Date.parse(at) >= since.getTime()) events.push({ kind: "user_logon", at, user, source: "wtmp", key: `logon:${key}` });
    const end = times[1];
    // Only a real logout ends a session here; `crash`/`down` end it with the machine (the shutdown says so).
    if (end && / - \d{4}-/.test(line)) {
      const endAt = new Date(end).toISOString();
      if (Date.parse(endAt) >= since.getTime()) events.push({ kind: "user_logoff", at: endAt, user, source: "wtmp", key: `logoff:${key}` });
    }
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Runs `last` (on `wtmpFile`, the system's wtmp by default); a system without it has no session events,
 * which is not an error (any other failure is).
 */
export function readLinuxSessions(since: Date, wtmpFile?: string): Promise<OsEvent[]> {
  return new Promise((resolve, reject) => {
    execFile(LAST_ARGV.file, [...LAST_ARGV.args, ...(wtmpFile ? ["-f", wtmpFile] : [])], { timeout: 15_000, encoding: "utf8", maxBuffer: 8 * 1024 * 1024, env: { ...process.env, LC_ALL: "C" } }, (err, stdout) => {
      if (!err) resolve(parseLastOutput(stdout, since));
      else if ((err as NodeJS.ErrnoException).code === "ENOENT") resolve([]);
      else reject(new Error(`last failed: ${err.message}`, { cause: err }));
    });
  });
}
