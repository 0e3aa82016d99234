/**
 * The Windows perf helper: one long-lived powershell.exe that answers counter requests on stdin, so
 * host perf and live perf start no process per sample (they used to start 3 per 60-s sample and about
 * 4 per second while someone watched). Requests: `io` (cumulative disk and network bytes) and `procs`
 * (every process with its cumulative CPU time and working set, from the raw perf counters). Each
 * answer is one JSON line; a failed query answers `{"error": "..."}` and the helper keeps running.
 * The script is parse- and rule-checked in test/powershell-parse.test.ts.
 */
import * as z from "zod";
import { safeJson } from "../safe-json.js";
import type { HelperCommand } from "./line-helper.js";

export const HELPER_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  "[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding($false)",
  "while ($true) {",
  "    $line = [Console]::In.ReadLine()",
  "    if ($null -eq $line -or $line -eq 'exit') { break }",
  "    try {",
  "        if ($line -eq 'io') {",
  "            $disk = Get-CimInstance Win32_PerfRawData_PerfDisk_PhysicalDisk -Filter \"Name='_Total'\"",
  "            $rx = 0",
  "            $tx = 0",
  "            foreach ($nic in (Get-CimInstance Win32_PerfRawData_Tcpip_NetworkInterface)) {",
  "                $rx += [double]$nic.BytesReceivedPersec",
  "                $tx += [double]$nic.BytesSentPersec",
  "            }",
  "            $out = @{ disk_read = [double]$disk.DiskReadBytesPersec; disk_write = [double]$disk.DiskWriteBytesPersec; net_rx = $rx; net_tx = $tx }",
  "        }",
  "        elseif ($line -eq 'procs') {",
  "            $rows = Get-CimInstance Win32_PerfRawData_PerfProc_Process | Where-Object { $_.Name -ne '_Total' -and $_.Name -ne 'Idle' }",
  "            $list = @($rows | ForEach-Object { @{ pid = [int]$_.IDProcess; name = [string]$_.Name; cpu_100ns = [double]$_.PercentProcessorTime; ws = [double]$_.WorkingSet } })",
  "            $stamp = [double]($rows | Select-Object -First 1).Timestamp_Sys100NS",
  "            $out = @{ at_100ns = $stamp; procs = $list }",
  "        }",
  "        else {",
  "            $out = @{ error = \"unknown request: $line\" }",
  "        }",
  "    }",
  "    catch {",
  "        $out = @{ error = $_.Exception.Message }",
  "    }",
  "    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $out -Compress -Depth 4))",
  "    [Console]::Out.Flush()",
  "}",
  "",
].join("\r\n");

/** How powershell.exe is started for the helper (the script as -EncodedCommand: no file to stage). */
export function helperArgv(): HelperCommand {
  const encoded = Buffer.from(HELPER_SCRIPT, "utf16le").toString("base64");
  return { file: "powershell.exe", args: ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", encoded] };
}

const errorSchema = z.object({ error: z.string() });
const ioSchema = z.object({ disk_read: z.number(), disk_write: z.number(), net_rx: z.number(), net_tx: z.number() });
const procsSchema = z.object({
  at_100ns: z.number(),
  procs: z.array(z.object({ pid: z.number().int(), name: z.string(), cpu_100ns: z.number(), ws: z.number() })),
});

export type HelperIo = z.infer<typeof ioSchema>;
export type HelperProcs = z.infer<typeof procsSchema>;

function parseAnswer<T>(line: string, schema: z.ZodType<T>, what: string): T {
  const raw = safeJson(Buffer.from(line));
  const failed = errorSchema.safeParse(raw);
  if (failed.success) throw new Error(`perf helper: ${what} failed: ${failed.data.error}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`perf helper: unexpected ${what} answer: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export const parseIoAnswer = (line: string): HelperIo => parseAnswer(line, ioSchema, "io");
/** PowerShell turns a one-element array into an object; both shapes are accepted. */
export const parseProcsAnswer = (line: string): HelperProcs => {
  const raw = safeJson(Buffer.from(line));
  if (typeof raw === "object" && raw !== null && "procs" in raw && !Array.isArray((raw as { procs: unknown }).procs)) {
    return parseAnswer(JSON.stringify({ ...raw, procs: [(raw as { procs: unknown }).procs] }), procsSchema, "procs");
  }
  return parseAnswer(line, procsSchema, "procs");
};

/**
 * CPU % per process from two readings of the cumulative counters (100 = one core), keyed by pid and
 * name so a reused pid starts from zero. The first reading of a process gives 0.
 */
export class ProcessCpu {
  private prev = new Map<string, number>();
  private prevAt: number | undefined;

  update(sample: HelperProcs): { pid: number; name: string; cpu_pct: number; rss_bytes: number }[] {
    const elapsed = this.prevAt === undefined ? 0 : sample.at_100ns - this.prevAt;
    const next = new Map<string, number>();
    const out = sample.procs.map((p) => {
      const key = `${p.pid}:${p.name}`;
      next.set(key, p.cpu_100ns);
      const before = this.prev.get(key);
      const used = before === undefined || p.cpu_100ns < before ? 0 : p.cpu_100ns - before;
      const pct = elapsed > 0 ? Math.round((used / elapsed) * 1000) / 10 : 0;
      return { pid: p.pid, name: p.name, cpu_pct: pct, rss_bytes: p.ws };
    });
    this.prev = next;
    this.prevAt = sample.at_100ns;
    return out;
  }
}
