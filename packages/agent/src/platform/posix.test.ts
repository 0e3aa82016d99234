import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@kanade/testkit";
import { readFileSync } from "node:fs";
import { posixPlatform } from "./posix.js";

/** Running, not a zombie waiting for a parent (or a container's pid 1) to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}
let child: ChildProcess | undefined;

afterEach(() => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
});

/** A detached `sh` (own process group, as scripts are spawned) with a `sleep` child. */
async function scriptTree(): Promise<{ pid: number; sleepPid: number }> {
  child = spawn("sh", ["-c", "sleep 30 & echo $!; wait"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  const pid = child.pid!;
  const sleepPid = await new Promise<number>((resolve) => child!.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { pid, sleepPid };
}

describe.skipIf(process.platform !== "linux")("posix orphan reaping (real processes)", () => {
  it("kills the recorded group when pid and start time still match", async () => {
    const p = posixPlatform();
    const { pid, sleepPid } = await scriptTree();
    const start = await p.processStartTime(pid);
    expect(start).toMatch(/^\d+$/);
    const outcome = await p.reapOrphan(pid, start!);
    expect(outcome).toEqual({ state: "killed", pids: expect.arrayContaining([pid, sleepPid]) });
    await waitFor(() => child?.signalCode === "SIGKILL", { what: "the shell to die" });
    await waitFor(() => !alive(sleepPid), { what: "the sleep in its group to die" });
  });

  it("leaves a process alone whose start time differs from the recorded one (a recycled pid)", async () => {
    const p = posixPlatform();
    const { pid, sleepPid } = await scriptTree();
    const start = BigInt((await p.processStartTime(pid))!);
    expect(await p.reapOrphan(pid, String(start - 1n))).toEqual({ state: "gone" });
    expect([alive(pid), alive(sleepPid)]).toEqual([true, true]);
  });

  it("reports a pid that no longer exists as gone", async () => {
    const p = posixPlatform();
    const { pid } = await scriptTree();
    const start = (await p.processStartTime(pid))!;
    process.kill(-pid, "SIGKILL");
    await waitFor(() => child?.signalCode === "SIGKILL", { what: "the shell to die" });
    await waitFor(async () => (await p.reapOrphan(pid, start)).state === "gone", { what: "the group to be gone" });
  });
});

describe("posix without /proc (macOS)", () => {
  it("cannot verify a pid, so it kills nothing", async () => {
    const p = posixPlatform({}, { procRoot: "/nonexistent-proc" });
    expect(await p.processStartTime(process.pid)).toBeUndefined();
    expect(await p.reapOrphan(process.pid, "1")).toMatchObject({ state: "unverifiable" });
  });
});
