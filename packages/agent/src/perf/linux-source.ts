/** Linux perf from /proc: meminfo, diskstats, net/dev and per-process stat/statm (deltas kept here). */
import { readdir, readFile } from "node:fs/promises";
import { freemem, totalmem } from "node:os";
import { parseDiskstats, parseMeminfo, parseNetDev, parsePidStat, parseStatmRssPages } from "./linux-proc.js";
import type { IoCounters, PerfSource, ProcessSample } from "./perf-source.js";

/** USER_HZ is 100 on every mainstream Linux build; /proc reports CPU time in these ticks. */
const TICKS_PER_SEC = 100;
const PAGE_BYTES = 4096;

const readText = (path: string): Promise<string | undefined> => readFile(path, "utf8").catch(() => undefined);

export function linuxPerfSource(procRoot = "/proc", now: () => number = Date.now): PerfSource {
  let prevTicks = new Map<number, number>();
  let prevAt = 0;
  return {
    async memory() {
      const parsed = parseMeminfo((await readText(`${procRoot}/meminfo`)) ?? "");
      return parsed ?? { totalBytes: totalmem(), usedBytes: totalmem() - freemem() };
    },
    async ioCounters(): Promise<IoCounters | undefined> {
      const [disk, net] = await Promise.all([readText(`${procRoot}/diskstats`), readText(`${procRoot}/net/dev`)]);
      if (disk === undefined && net === undefined) return undefined;
      const d = parseDiskstats(disk ?? "");
      const n = parseNetDev(net ?? "");
      return { diskReadBytes: d.readBytes, diskWriteBytes: d.writeBytes, netRxBytes: n.rxBytes, netTxBytes: n.txBytes };
    },
    async processes(): Promise<ProcessSample[]> {
      const at = now();
      const elapsedSec = prevAt > 0 ? (at - prevAt) / 1000 : 0;
      const pids = (await readdir(procRoot).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
      const ticks = new Map<number, number>();
      const out: ProcessSample[] = [];
      // Processes come and go between readdir and read: a missing file just means it exited.
      await Promise.all(
        pids.map(async (pid) => {
          const [stat, statm] = await Promise.all([readText(`${procRoot}/${pid}/stat`), readText(`${procRoot}/${pid}/statm`)]);
          const s = stat === undefined ? undefined : parsePidStat(stat);
          if (!s) return;
          ticks.set(s.pid, s.cpuTicks);
          const before = prevTicks.get(s.pid);
          const cpuPct = before !== undefined && elapsedSec > 0 ? ((s.cpuTicks - before) / TICKS_PER_SEC / elapsedSec) * 100 : 0;
          const pages = statm === undefined ? undefined : parseStatmRssPages(statm);
          out.push({ pid: s.pid, name: s.name, cpu_pct: Math.max(0, Math.round(cpuPct * 10) / 10), rss_bytes: (pages ?? 0) * PAGE_BYTES });
        }),
      );
      prevTicks = ticks;
      prevAt = at;
      return out;
    },
  };
}
