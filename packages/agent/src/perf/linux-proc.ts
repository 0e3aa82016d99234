/** Pure parsers for the Linux /proc files host and process perf are computed from. */

const SECTOR_BYTES = 512;
/** Whole disks only: counting partitions (sda1) or device-mapper volumes too would count bytes twice. */
const WHOLE_DISK_RE = /^(?:[shv]d[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

/** `/proc/diskstats`: fields 6 and 10 are sectors read and written (always 512-byte units). */
export function parseDiskstats(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !WHOLE_DISK_RE.test(f[2] ?? "")) continue;
    readBytes += Number(f[5]) * SECTOR_BYTES;
    writeBytes += Number(f[9]) * SECTOR_BYTES;
  }
  return { readBytes, writeBytes };
}

/** `/proc/net/dev`: received bytes is the first field after the colon, transmitted bytes the ninth. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 9) continue;
    rxBytes += Number(f[0]);
    txBytes += Number(f[8]);
  }
  return { rxBytes, txBytes };
}

/** `/proc/meminfo` → total and used bytes (used = total − MemAvailable, what "free" calls used). */
export function parseMeminfo(text: string): { totalBytes: number; usedBytes: number } | undefined {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable") ?? kb("MemFree");
  if (total === undefined || available === undefined) return undefined;
  return { totalBytes: total, usedBytes: Math.max(0, total - available) };
}

/**
 * `/proc/<pid>/stat`: the command name is in parentheses and may itself contain spaces and `)`, so
 * split at the LAST `)`; utime and stime are fields 14 and 15 (clock ticks).
 */
export function parsePidStat(text: string): { pid: number; name: string; cpuTicks: number } | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state); utime is field 14 → rest[11], stime field 15 → rest[12].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isInteger(pid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { pid, name: text.slice(open + 1, close), cpuTicks: utime + stime };
}

/** `/proc/<pid>/statm`: the second field is resident pages. */
export function parseStatmRssPages(text: string): number | undefined {
  const n = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(n) ? n : undefined;
}
