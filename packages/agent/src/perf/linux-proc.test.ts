import { describe, expect, it } from "vitest";
import { parseDiskstats, parseMeminfo, parseNetDev, parsePidStat, parseStatmRssPages } from "./linux-proc.js";

describe("linux /proc parsers", () => {
  it("sums sectors of whole disks only", () => {
    const text = [
      "   8       0 sda 100 0 2000 10 50 0 4000 20 0 30 30",
      "   8       1 sda1 90 0 1900 10 40 0 3900 20 0 30 30",
      " 259       0 nvme0n1 1 0 10 0 1 0 20 0 0 0 0",
      " 259       1 nvme0n1p1 1 0 10 0 1 0 20 0 0 0 0",
      "   7       0 loop0 5 0 999 0 0 0 0 0 0 0 0",
      " 253       0 dm-0 5 0 999 0 5 0 999 0 0 0 0",
    ].join("\n");
    expect(parseDiskstats(text)).toEqual({ readBytes: (2000 + 10) * 512, writeBytes: (4000 + 20) * 512 });
  });

  it("sums interface bytes except loopback", () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 5000      10    0    0    0     0          0         0     5000      10    0    0    0     0       0          0
  eth0: 1234      20    0    0    0     0          0         0      567      30    0    0    0     0       0          0
 wlan0:   10       1    0    0    0     0          0         0       20       2    0    0    0     0       0          0`;
    expect(parseNetDev(text)).toEqual({ rxBytes: 1244, txBytes: 587 });
  });

  it("reads used memory as total minus available", () => {
    expect(parseMeminfo("MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n")).toEqual({
      totalBytes: 1000 * 1024,
      usedBytes: 600 * 1024,
    });
    expect(parseMeminfo("nothing")).toBeUndefined();
  });

  it("reads a process stat line whose name has spaces and parentheses", () => {
    const line = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 1000 50";
    expect(parsePidStat(line)).toEqual({ pid: 4242, name: "my (odd) proc", cpuTicks: 300 });
    expect(parsePidStat("garbage")).toBeUndefined();
  });

  it("reads resident pages from statm", () => {
    expect(parseStatmRssPages("1000 250 30 1 0 100 0\n")).toBe(250);
  });
});
