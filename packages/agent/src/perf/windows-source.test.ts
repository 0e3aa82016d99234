/**
 * The Windows perf source on any OS, with a stand-in helper process that answers like the PowerShell
 * one (same line protocol, realistic JSON): host counters and per-process CPU come out of one process.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LineHelper } from "./line-helper.js";
import { windowsPerfSource } from "./windows-source.js";

// Each `procs` answer advances time by 1 s and process 4's CPU by 0.25 s; `io` counters grow by 1000/call.
const FAKE = `
let n = 0, p = 0;
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  let out;
  if (line === "io") { n++; out = { disk_read: 1000 * n, disk_write: 2000 * n, net_rx: 3000 * n, net_tx: 4000 * n }; }
  else if (line === "procs") { p++; out = { at_100ns: p * 1e7, procs: [{ pid: 4, name: "System", cpu_100ns: p * 2.5e6, ws: 8192 }, { pid: 9, name: "svchost#1", cpu_100ns: 0, ws: 4096 }] }; }
  else out = { error: "unknown request: " + line };
  process.stdout.write(JSON.stringify(out) + "\\n");
}).on("close", () => process.exit(0));
`;

describe("windowsPerfSource", () => {
  let helper: LineHelper | undefined;
  afterEach(() => helper?.close());

  it("reads counters and processes from one helper process", async () => {
    helper = new LineHelper({ file: process.execPath, args: ["-e", FAKE] });
    const source = windowsPerfSource(helper);
    expect(await source.ioCounters()).toEqual({ diskReadBytes: 1000, diskWriteBytes: 2000, netRxBytes: 3000, netTxBytes: 4000 });
    expect(await source.ioCounters()).toEqual({ diskReadBytes: 2000, diskWriteBytes: 4000, netRxBytes: 6000, netTxBytes: 8000 });
    expect((await source.processes()).map((p) => p.cpu_pct)).toEqual([0, 0]);
    expect(await source.processes()).toEqual([
      { pid: 4, name: "System", cpu_pct: 25, rss_bytes: 8192 },
      { pid: 9, name: "svchost#1", cpu_pct: 0, rss_bytes: 4096 },
    ]);
    const mem = await source.memory();
    expect(mem.totalBytes).toBeGreaterThan(mem.usedBytes);
    expect(helper.starts).toBe(1);
  });

  it("reports no counters (rather than failing the sample) when the helper cannot run", async () => {
    helper = new LineHelper({ file: "/nonexistent/powershell.exe", args: [] });
    expect(await windowsPerfSource(helper).ioCounters()).toBeUndefined();
  });
});
