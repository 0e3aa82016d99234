/**
 * Before an update restart the agent drains: running scripts finish and are reported normally, runs
 * still in their jitter sleep are reported `skipped` (they never started), new commands wait for the
 * next build. Only what outlasts the bound is stopped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { sleep, tempDir, waitFor } from "@kanade/testkit";
import { command, execIdOf, publishCommand, resultCount, runAgent, useEnv, waitResult, waitStarted } from "./fleet-env.js";

const REASON = "agent restarting for an update";
const e = useEnv();

function dataDir(): string {
  const d = tempDir("kanade-drain-");
  e().dirs.push(d);
  return d.path;
}

describe("draining before an update restart", () => {
  it("lets a running script finish, skips a run still in its jitter sleep, and takes no new commands", async () => {
    const PC = "drain-pc";
    const data = dataDir();
    const agent = await runAgent(e(), PC, data);
    try {
      // Still running well after its started event (sent once a run has lasted STARTED_EVENT_DELAY_MS).
      const running = command({ script: "sleep 3\necho done" });
      await publishCommand(e(), subjects.commandsPc(PC), running);
      await waitStarted(e(), execIdOf(running), PC);
      const sleeping = command({ script: "echo never", jitter_secs: 3_600 });
      await publishCommand(e(), subjects.commandsPc(PC), sleeping);
      await waitFor(() => existsSync(join(data, "running", `${execIdOf(sleeping)}.json`)), { what: "the jittered run to be accepted" });

      const drained = agent.drain(20_000, REASON);
      const late = command({ script: "echo late" });
      await publishCommand(e(), subjects.commandsPc(PC), late);
      expect(await drained).toBe(true);

      const done = await waitResult(e(), execIdOf(running), PC);
      expect(done.status).toBe("succeeded");
      expect(done.stdout).toBe("done\n");
      const skipped = await waitResult(e(), execIdOf(sleeping), PC);
      expect(skipped).toMatchObject({ status: "skipped", exit_code: null, skip_reason: REASON, started_at: null });
      await sleep(300);
      expect(await resultCount(e(), execIdOf(late))).toBe(0);
    } finally {
      await agent.stop();
    }
  });

  it("gives up at the bound and leaves the rest to stop", async () => {
    const PC = "drain-bound-pc";
    const data = dataDir();
    const agent = await runAgent(e(), PC, data);
    const long = command({ script: "sleep 30" });
    try {
      await publishCommand(e(), subjects.commandsPc(PC), long);
      await waitStarted(e(), execIdOf(long), PC);
      expect(await agent.drain(300, REASON)).toBe(false);
    } finally {
      await agent.stop();
    }
    // Stopped mid-run: the marker stays for the next start to report `error`.
    expect(existsSync(join(data, "running", `${execIdOf(long)}.json`))).toBe(true);
  });
});
