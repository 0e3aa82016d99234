import { describe, expect, it } from "vitest";
import { helperArgv, HELPER_SCRIPT, parseIoAnswer, parseProcsAnswer, ProcessCpu } from "./windows-helper.js";

describe("the Windows perf helper's answers", () => {
  it("reads the io answer, and reports a failed query with its message", () => {
    expect(parseIoAnswer('{"net_tx":4,"disk_read":1,"net_rx":3,"disk_write":2}')).toEqual({ disk_read: 1, disk_write: 2, net_rx: 3, net_tx: 4 });
    expect(() => parseIoAnswer('{"error":"Invalid class \\"Win32_PerfRawData_PerfDisk_PhysicalDisk\\""}')).toThrow(/io failed: Invalid class/);
    expect(() => parseIoAnswer('{"disk_read":"x"}')).toThrow(/unexpected io answer: disk_read/);
    expect(() => parseIoAnswer("not json")).toThrow(/unexpected io answer/);
  });

  it("reads the procs answer, also when PowerShell flattened a one-process list", () => {
    const many = parseProcsAnswer('{"at_100ns":1000,"procs":[{"pid":4,"name":"System","cpu_100ns":10,"ws":4096},{"pid":8,"name":"svchost#1","cpu_100ns":20,"ws":8192}]}');
    expect(many.procs.map((p) => p.name)).toEqual(["System", "svchost#1"]);
    const one = parseProcsAnswer('{"at_100ns":1000,"procs":{"pid":4,"name":"System","cpu_100ns":10,"ws":4096}}');
    expect(one.procs).toEqual([{ pid: 4, name: "System", cpu_100ns: 10, ws: 4096 }]);
  });

  it("turns cumulative CPU time into % of one core between two readings; a reused pid starts from zero", () => {
    const cpu = new ProcessCpu();
    const at = (t: number, procs: [number, string, number][]) => ({ at_100ns: t, procs: procs.map(([pid, name, c]) => ({ pid, name, cpu_100ns: c, ws: 1024 })) });
    expect(cpu.update(at(0, [[1, "a", 0], [2, "b", 0]])).map((p) => p.cpu_pct)).toEqual([0, 0]);
    // 1 s later (10^7 × 100 ns): a used half a core, b two full cores, pid 2 now a different program.
    const second = cpu.update(at(10_000_000, [[1, "a", 5_000_000], [2, "c", 20_000_000]]));
    expect(second).toEqual([
      { pid: 1, name: "a", cpu_pct: 50, rss_bytes: 1024 },
      { pid: 2, name: "c", cpu_pct: 0, rss_bytes: 1024 },
    ]);
    expect(cpu.update(at(20_000_000, [[2, "c", 40_000_000]]))[0]?.cpu_pct).toBe(200);
  });

  it("starts powershell.exe once with the script encoded (no file to stage)", () => {
    const argv = helperArgv();
    expect(argv.file).toBe("powershell.exe");
    expect(argv.args.slice(0, 5)).toEqual(["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]);
    expect(Buffer.from(argv.args[5]!, "base64").toString("utf16le")).toBe(HELPER_SCRIPT);
  });
});
