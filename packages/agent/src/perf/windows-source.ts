/**
 * Windows perf (loaded only on Windows, see index.ts): network and processes through `systeminformation` (pure JS, no native addon); disk
 * bytes from the raw PhysicalDisk(_Total) counters read with one PowerShell CIM query.
 */
import { execFile } from "node:child_process";
import { freemem, totalmem } from "node:os";
import si from "systeminformation";
import type { IoCounters, PerfSource, ProcessSample } from "./perf-source.js";

/** The one-line PowerShell the agent runs for disk counters (parse-checked in test/powershell-parse.test.ts). */
export const DISK_QUERY =
  "Get-CimInstance Win32_PerfRawData_PerfDisk_PhysicalDisk -Filter \"Name='_Total'\" | ForEach-Object { \"$($_.DiskReadBytesPersec) $($_.DiskWriteBytesPersec)\" }";

/** `"<read> <write>"` (cumulative bytes) as the query above prints it. */
export function parseWindowsDiskRaw(text: string): { readBytes: number; writeBytes: number } | undefined {
  const [r, w] = text.trim().split(/\s+/).map(Number);
  if (r === undefined || w === undefined || !Number.isFinite(r) || !Number.isFinite(w)) return undefined;
  return { readBytes: r, writeBytes: w };
}

function readDiskRaw(): Promise<{ readBytes: number; writeBytes: number } | undefined> {
  return new Promise((resolve) => {
    execFile(
      "powershell.exe",
      ["-NoProfile", "-NonInteractive", "-Command", DISK_QUERY],
      { windowsHide: true, timeout: 10_000 },
      (err, stdout) => resolve(err ? undefined : parseWindowsDiskRaw(stdout)),
    );
  });
}

export function windowsPerfSource(): PerfSource {
  return {
    memory: async () => ({ totalBytes: totalmem(), usedBytes: totalmem() - freemem() }),
    async ioCounters(): Promise<IoCounters | undefined> {
      const [disk, nets] = await Promise.all([readDiskRaw(), si.networkStats("*").catch(() => [])]);
      if (!disk && nets.length === 0) return undefined;
      let rx = 0;
      let tx = 0;
      for (const n of nets) {
        rx += n.rx_bytes;
        tx += n.tx_bytes;
      }
      return { diskReadBytes: disk?.readBytes ?? 0, diskWriteBytes: disk?.writeBytes ?? 0, netRxBytes: rx, netTxBytes: tx };
    },
    async processes(): Promise<ProcessSample[]> {
      const data = await si.processes();
      return data.list.map((p) => ({ pid: p.pid, name: p.name, cpu_pct: Math.round(p.cpu * 10) / 10, rss_bytes: p.memRss * 1024 }));
    },
  };
}
