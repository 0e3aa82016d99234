/**
 * An agent that dies mid-run (SIGKILL: no chance to clean up) leaves nothing behind once it restarts:
 * the script's process group is killed, its staging folder removed, and the run is reported once, as `error`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { sleep, tempDir, waitFor } from "@kanade/testkit";
import { command, endProcess, execIdOf, publishCommand, resultCount, spawnAgentProcess, useEnv, waitResult, waitStarted } from "./fleet-env.js";

const e = useEnv();
const SCRIPT_SECONDS = 15;

/** Every live (non-zombie) process as pid, process group and command line, from /proc. */
function processes(): { pid: number; pgid: number; cmdline: string }[] {
  const out: { pid: number; pgid: number; cmdline: string }[] = [];
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let stat: string;
    let cmdline: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
      cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ESRCH") continue; // exited meanwhile
      throw err;
    }
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (f[0] !== "Z") out.push({ pid: Number(name), pgid: Number(f[2]), cmdline });
  }
  return out;
}

/** The process group of the shell running a script staged under `dataDir` (found by its command line). */
function scriptGroup(dataDir: string): number | undefined {
  return processes().find((p) => p.cmdline.includes(join(dataDir, "agent-scripts")))?.pgid;
}

/** True once the agent's running marker records the script's pid (it writes it just after the spawn). */
function markerHasChild(dataDir: string): boolean {
  const dir = join(dataDir, "running");
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => n.endsWith(".json") && (JSON.parse(readFileSync(join(dir, n), "utf8")) as { child?: unknown }).child !== undefined);
}

const groupMembers = (pgid: number): number[] => processes().filter((p) => p.pgid === pgid).map((p) => p.pid);

describe.skipIf(process.platform !== "linux")("agent crash", () => {
  it("SIGKILL 3 s into `sleep 15; echo end > file`: the restarted agent kills the script, removes its staging and reports one error", async () => {
    const t = tempDir("kanade-agent-orphan-");
    const data = t.join("data");
    const endFile = t.join("end.txt");
    const agents = [await spawnAgentProcess(e(), "orphan-pc", data)];
    try {
      const cmd = command({ script: `sleep ${SCRIPT_SECONDS}; echo end > '${endFile}'` });
      await publishCommand(e(), subjects.commandsPc("orphan-pc"), cmd);
      await waitStarted(e(), execIdOf(cmd), "orphan-pc");
      const startedAt = Date.now();
      await sleep(3_000);
      const pgid = scriptGroup(data);
      if (pgid === undefined) throw new Error("no process runs the staged script");
      expect(readdirSync(join(data, "agent-scripts"))).toHaveLength(1);

      await endProcess(agents[0]!, "SIGKILL");
      // The issue: without the reaper, the script lives on past its agent.
      expect(groupMembers(pgid).length).toBeGreaterThan(0);

      agents.push(await spawnAgentProcess(e(), "orphan-pc", data));
      const r = await waitResult(e(), execIdOf(cmd), "orphan-pc");
      expect(r.status).toBe("error");
      expect(r.error).toMatch(/agent stopped while the script was running .*were killed when the agent restarted/);
      expect(groupMembers(pgid)).toEqual([]);
      expect(readdirSync(join(data, "agent-scripts"))).toEqual([]);
      expect(readdirSync(join(data, "running"))).toEqual([]);

      // Past the moment the script would have written the file: it never did, and no second result came.
      await sleep(Math.max(0, startedAt + (SCRIPT_SECONDS + 1) * 1000 - Date.now()));
      expect(existsSync(endFile)).toBe(false);
      expect(await resultCount(e(), execIdOf(cmd))).toBe(1);
    } finally {
      for (const a of agents) await endProcess(a);
      t.remove();
    }
  }, 60_000);

  it("a script that ended on its own while the agent was down is reported as no longer running", async () => {
    const t = tempDir("kanade-agent-orphan-");
    const data = t.join("data");
    const agents = [await spawnAgentProcess(e(), "orphan-pc2", data)];
    try {
      // Still running well after its started event (sent once a run has lasted STARTED_EVENT_DELAY_MS).
      const cmd = command({ script: "sleep 3" });
      await publishCommand(e(), subjects.commandsPc("orphan-pc2"), cmd);
      await waitStarted(e(), execIdOf(cmd), "orphan-pc2");
      const pgid = await waitFor(() => scriptGroup(data), { what: "the script's process" });
      // The script can be seen a moment before the marker names it; a crash in that moment is the other case.
      await waitFor(() => markerHasChild(data) || undefined, { what: "the running marker to record the script's pid" });
      await endProcess(agents[0]!, "SIGKILL");
      await waitFor(() => groupMembers(pgid).length === 0, { what: "the script to end on its own" });

      agents.push(await spawnAgentProcess(e(), "orphan-pc2", data));
      const r = await waitResult(e(), execIdOf(cmd), "orphan-pc2");
      expect(r.status).toBe("error");
      expect(r.error).toMatch(/the script was no longer running when the agent restarted/);
      expect(existsSync(join(data, "agent-scripts")) ? readdirSync(join(data, "agent-scripts")) : []).toEqual([]);
    } finally {
      for (const a of agents) await endProcess(a);
      t.remove();
    }
  });
});
