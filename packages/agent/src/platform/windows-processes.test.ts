import { describe, expect, it } from "vitest";
import { parseProcessTable, parseStartTime, startTimeQuery, taskkillPidsArgv, treeToKill, type WinProcess, stillRunningWin } from "./windows-processes.js";

// FILETIMEs around 2025 are ~1.34e17: beyond 2^53, so they must not go through Number.
const T = 133_800_000_000_000_000n;
const at = (offset: number): string => String(T + BigInt(offset));
const p = (pid: number, ppid: number, offset: number): WinProcess => ({ pid, ppid, created: at(offset) });

describe("parseProcessTable", () => {
  it("reads `<pid> <ppid> <filetime>` lines from CRLF output, skipping blanks, warnings and processes without a creation time", () => {
    const text = ["0 0 0", "4 0 0", `7312 688 ${at(5)}`, "", "WARNING: something", `  9000 7312 ${at(9)}  `, ""].join("\r\n");
    expect(parseProcessTable(text)).toEqual([p(7312, 688, 5), p(9000, 7312, 9)]);
  });

  it("keeps the full precision of a FILETIME", () => {
    expect(parseProcessTable(`1 2 ${at(1)}`)[0]?.created).toBe("133800000000000001");
  });
});

describe("parseStartTime", () => {
  it("is the one number printed, or undefined when the process does not exist", () => {
    expect(parseStartTime(`${at(3)}\r\n`)).toBe(at(3));
    expect(parseStartTime("")).toBeUndefined();
    expect(parseStartTime("\r\n")).toBeUndefined();
  });

  it("queries exactly one pid", () => {
    expect(startTimeQuery(4242)).toContain('-Filter "ProcessId=4242"');
  });
});

describe("treeToKill", () => {
  const root = { pid: 500, start: at(100) };

  it("is the root and its descendants while the root is the recorded process", () => {
    const table = [p(4, 0, 0), p(500, 300, 100), p(510, 500, 101), p(520, 510, 102), p(600, 4, 50)];
    expect(treeToKill(root, table).sort()).toEqual([500, 510, 520]);
  });

  it("does not follow a ParentProcessId to a child older than its claimed parent (a reused parent pid)", () => {
    const table = [p(500, 300, 100), p(510, 500, 90)];
    expect(treeToKill(root, table)).toEqual([500]);
  });

  it("is the orphans (and theirs) once the root has exited", () => {
    const table = [p(510, 500, 101), p(520, 510, 102), p(530, 500, 99)];
    expect(treeToKill(root, table).sort()).toEqual([510, 520]);
  });

  it("leaves alone a later process that reuses the root's pid, and the children it started", () => {
    const table = [p(500, 8, 200), p(540, 500, 201), p(510, 500, 150)];
    expect(treeToKill(root, table)).toEqual([510]);
  });

  it("is empty when nothing of the tree is left", () => {
    expect(treeToKill(root, [p(500, 8, 200), p(540, 500, 201)])).toEqual([]);
    expect(treeToKill(root, [])).toEqual([]);
  });
});

describe("taskkillPidsArgv", () => {
  it("force-kills exactly the given pids in one call", () => {
    expect(taskkillPidsArgv([510, 520])).toEqual({ file: "taskkill.exe", args: ["/F", "/PID", "510", "/PID", "520"] });
  });
});

describe("stillRunningWin", () => {
  it("matches pid and creation time, so a reused pid is not a survivor", () => {
    const tree = [{ pid: 10, ppid: 1, created: "100" }, { pid: 11, ppid: 10, created: "110" }, { pid: 12, ppid: 10, created: "120" }];
    const now = [{ pid: 10, ppid: 1, created: "100" }, { pid: 11, ppid: 5, created: "999" }];
    expect(stillRunningWin(tree, now)).toEqual([10]);
  });
});
