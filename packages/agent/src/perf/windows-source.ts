/**
 * Windows perf (loaded only on Windows, see index.ts): memory from Node, everything else from one
 * long-lived PowerShell helper (windows-helper.ts) asked over stdin, so sampling starts no process.
 */
import { freemem, totalmem } from "node:os";
import { LineHelper } from "./line-helper.js";
import type { IoCounters, PerfSource, ProcessSample } from "./perf-source.js";
import { helperArgv, parseIoAnswer, parseProcsAnswer, ProcessCpu } from "./windows-helper.js";

/** A CIM query on a busy PC can take a few seconds; past this the helper is restarted. */
const REQUEST_TIMEOUT_MS = 30_000;

export function windowsPerfSource(helper: LineHelper = new LineHelper(helperArgv())): PerfSource {
  const cpu = new ProcessCpu();
  return {
    memory: async () => ({ totalBytes: totalmem(), usedBytes: totalmem() - freemem() }),
    async ioCounters(): Promise<IoCounters | undefined> {
      // Without counters the sample still carries CPU and memory (rates read 0), as on a PC without CIM.
      const io = await helper.request("io", REQUEST_TIMEOUT_MS).then(parseIoAnswer, () => undefined);
      return io && { diskReadBytes: io.disk_read, diskWriteBytes: io.disk_write, netRxBytes: io.net_rx, netTxBytes: io.net_tx };
    },
    async processes(): Promise<ProcessSample[]> {
      return cpu.update(parseProcsAnswer(await helper.request("procs", REQUEST_TIMEOUT_MS)));
    },
    close: () => helper.close(),
  };
}
