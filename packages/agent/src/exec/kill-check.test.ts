/**
 * After a timeout or kill the agent checks the tree is really gone (real processes, real /proc):
 * a child that left the script's process group is found and killed, and when a kill does not end the
 * tree, the result and the log say so instead of reporting a clean kill.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { sampleCommand, tempDir, waitFor, type TempDir } from "@kanade/testkit";
import { createLogger } from "../log.js";
import { LogRing } from "../log-ring.js";
import { posixPlatform, sigkill } from "../platform/posix.js";
import { processExecutor } from "./process-executor.js";

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** Pids the script printed, one per line, read from its pid file once it wrote them all. */
const pidsIn = (file: string, n: number): number[] | undefined => {
  try {
    const pids = readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map(Number);
    return pids.length >= n ? pids : undefined;
  } catch {
    return undefined;
  }
};

describe.skipIf(process.platform !== "linux")("kill verification (real processes)", () => {
  let dir: TempDir | undefined;
  const leftovers: number[] = [];
  afterEach(() => {
    for (const pid of leftovers.splice(0)) sigkill(pid);
    dir?.remove();
  });

  it("a timed-out script's child that left the process group (setsid) is killed too; the result is a clean timeout", async () => {
    dir = tempDir();
    const pidFile = dir.join("pids");
    const log = new LogRing();
    const exec = processExecutor({ dataDir: dir.path, platform: posixPlatform(), log: createLogger("info", {}, { ring: log, stderr: false }) });
    const script = `setsid sleep 300 & echo $! >> ${pidFile}\nsleep 300 & echo $! >> ${pidFile}\nwait\n`;
    const run = exec.run({ cmd: sampleCommand({ script, timeout_secs: 2 }), pcId: "pc", signal: new AbortController().signal });
    const pids = await waitFor(() => pidsIn(pidFile, 2), { what: "the script to start its children" });
    leftovers.push(...pids);
    const out = await run;
    expect(out.status).toBe("timed_out");
    expect(out.error).toBeUndefined();
    expect(pids.map(alive)).toEqual([false, false]);
    expect(log.tail(100).lines.join("\n")).not.toContain("still running after the kill");
  });

  it("when the kill does not end the tree, the result and the log say which pids still run", async () => {
    dir = tempDir();
    const pidFile = dir.join("pids");
    const log = new LogRing();
    // A kill that does nothing: what taskkill does when it fails, or a process that ignores it.
    const platform = posixPlatform(process.env, { kill: () => undefined });
    const exec = processExecutor({ dataDir: dir.path, platform, log: createLogger("info", {}, { ring: log, stderr: false }) });
    const script = `echo $$ >> ${pidFile}\nsleep 300 & echo $! >> ${pidFile}\nwait\n`;
    const run = exec.run({ cmd: sampleCommand({ script, timeout_secs: 1 }), pcId: "pc", signal: new AbortController().signal });
    const pids = await waitFor(() => pidsIn(pidFile, 2), { what: "the script to start" });
    leftovers.push(...pids);
    const out = await run;
    expect(out.status).toBe("timed_out");
    expect(out.exitCode).toBeNull();
    for (const pid of pids) expect(out.error).toContain(String(pid));
    expect(out.error).toMatch(/^the process tree is still running after the kill: pid /);
    expect(pids.map(alive)).toEqual([true, true]);
    const line = log.tail(100).lines.find((l) => l.includes("process tree still running after the kill"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 50, exec_id: sampleCommand().exec_id, pids: expect.arrayContaining(pids) });
  });
});
