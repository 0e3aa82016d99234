import { describe, expect, it } from "vitest";
import { parseProcStat, survivingGroup, type ProcStat, linuxTree, stillRunning } from "./linux-processes.js";

/** A /proc/<pid>/stat line with the given fields (the rest as a real kernel prints them). */
const statLine = (pid: number, comm: string, ppid: number, pgrp: number, start: number): string =>
  `${pid} (${comm}) S ${ppid} ${pgrp} ${pgrp} 0 -1 4194560 96 0 0 0 0 0 0 0 20 0 1 0 ${start} 2637824 226 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

const row = (pid: number, pgrp: number, start: number, ppid = 1, state = "S"): ProcStat => ({ pid, state, ppid, pgrp, session: pgrp, startTicks: String(start) });

describe("parseProcStat", () => {
  it("reads pid, parent, group, session and the start time (field 22)", () => {
    expect(parseProcStat(statLine(4242, "sh", 1, 4242, 987654))).toEqual({ pid: 4242, state: "S", ppid: 1, pgrp: 4242, session: 4242, startTicks: "987654" });
  });

  it("counts fields after the last ')' so a name with spaces and parentheses does not shift them", () => {
    expect(parseProcStat(statLine(7, "evil) S 1 2 3 (x", 6, 7, 55))).toMatchObject({ pid: 7, ppid: 6, pgrp: 7, startTicks: "55" });
  });

  it("refuses text that is not a stat line", () => {
    expect(parseProcStat("")).toBeUndefined();
    expect(parseProcStat("12 (sh) S 1 2")).toBeUndefined();
  });
});

describe("survivingGroup", () => {
  const leader = { pid: 100, start: "5000" };

  it("is the whole group while the leader is the recorded process", () => {
    expect(survivingGroup(leader, [row(100, 100, 5000), row(101, 100, 5003, 100), row(300, 300, 10)])).toEqual([100, 101]);
  });

  it("is empty when the pid now belongs to another process (a recycled pid): nothing is killed", () => {
    expect(survivingGroup(leader, [row(100, 100, 9000), row(101, 100, 9001, 100)])).toEqual([]);
  });

  it("is the members still running after the leader exited", () => {
    expect(survivingGroup(leader, [row(101, 100, 5003), row(102, 100, 5004), row(200, 200, 100)])).toEqual([101, 102]);
  });

  it("ignores a process in a group of that number that started before the recorded leader", () => {
    expect(survivingGroup(leader, [row(101, 100, 4000)])).toEqual([]);
  });

  it("is empty when nothing of the group is left, or only zombies waiting to be reaped", () => {
    expect(survivingGroup(leader, [row(1, 1, 1), row(2, 2, 2)])).toEqual([]);
    expect(survivingGroup(leader, [row(101, 100, 5003, 1, "Z")])).toEqual([]);
  });
});

describe("linuxTree / stillRunning", () => {
  const p = (pid: number, ppid: number, pgrp: number, start: string, state = "S") => ({ pid, ppid, pgrp, session: pgrp, startTicks: start, state });
  const table = [
    p(100, 1, 100, "500"), // the script (group leader)
    p(101, 100, 100, "510"), // a child in its group
    p(102, 100, 102, "520"), // a child that left the group (setsid)
    p(103, 102, 102, "530"), // its child
    p(104, 1, 100, "540"), // a group member whose parent exited (reparented)
    p(105, 100, 105, "400"), // an older process that happens to have ppid 100 (pid reuse): not ours
    p(200, 1, 200, "600"), // unrelated
  ];

  it("takes the root, its group, and descendants that left the group", () => {
    expect(linuxTree(100, table).map((x) => x.pid).sort()).toEqual([100, 101, 102, 103, 104]);
    expect(linuxTree(999, table)).toEqual([]);
  });

  it("counts as running only the same pid with the same start time, not zombies", () => {
    const tree = linuxTree(100, table);
    const later = [p(100, 1, 100, "500", "Z"), p(101, 100, 100, "999"), p(103, 1, 102, "530")];
    expect(stillRunning(tree, later)).toEqual([103]);
    expect(stillRunning(tree, [])).toEqual([]);
  });
});
