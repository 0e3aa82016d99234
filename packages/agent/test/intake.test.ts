import { describe, expect, it } from "vitest";
import { SKIP_EXIT, subjects } from "@kanade/protocol";
import { sleep, tempDir, waitFor } from "@kanade/testkit";
import { command, execIdOf, publishCommand, resultCount, runAgent, useEnv, waitResult } from "./fleet-env.js";

const e = useEnv();

describe("intake", () => {
  it("runs an exec that arrives via commands.all and a group only once", async () => {
    await e().kv.groups.put("dup-pc", JSON.stringify({ groups: ["lab"] }));
    const agent = await runAgent(e(), "dup-pc");
    try {
      const ping = await e().nc.request(subjects.agentPing("dup-pc"), "", { timeout: 2_000 });
      expect(ping.json<{ groups: string[] }>().groups).toEqual(["lab"]);
      const cmd = command({ script: "echo once" });
      await publishCommand(e(), subjects.commandsAll(), cmd);
      await publishCommand(e(), subjects.commandsGroup("lab"), { ...cmd, request_id: "0190a7e0-0000-7000-8000-000000000001" });
      await waitResult(e(), execIdOf(cmd), "dup-pc");
      await sleep(500); // give a duplicate run the time it would need to show up
      expect(await resultCount(e(), execIdOf(cmd))).toBe(1);
    } finally {
      await agent.stop();
    }
  });

  it("follows group membership changes in agent_groups live", async () => {
    const agent = await runAgent(e(), "grp-pc");
    try {
      await e().kv.groups.put("grp-pc", JSON.stringify({ groups: ["finance"] }));
      // The watch is asynchronous: keep firing fresh execs at the group until one is picked up.
      const r = await waitFor(
        async () => {
          const cmd = command({ script: "echo in finance" });
          await publishCommand(e(), subjects.commandsGroup("finance"), cmd);
          return waitResult(e(), execIdOf(cmd), "grp-pc", 300).catch(() => undefined);
        },
        { timeoutMs: 10_000, what: "a finance command to run" },
      );
      expect(r.stdout).toBe("in finance\n");

      await e().kv.groups.put("grp-pc", JSON.stringify({ groups: [] }));
      const hb = await waitFor(async () => {
        const reply = await e().nc.request(subjects.agentPing("grp-pc"), "", { timeout: 2_000 });
        const groups = reply.json<{ groups: string[] }>().groups;
        return groups.length === 0 ? groups : undefined;
      });
      expect(hb).toEqual([]);
      const after = command({ script: "echo should not run" });
      await publishCommand(e(), subjects.commandsGroup("finance"), after);
      await sleep(500);
      expect(await resultCount(e(), execIdOf(after))).toBe(0);
    } finally {
      await agent.stop();
    }
  });

  it("does not re-run the replayed newest command after a restart with the same data dir", async () => {
    const data = tempDir("kanade-agent-restart-");
    try {
      const first = await runAgent(e(), "restart-pc", data.path);
      const cmd = command({ script: "echo ran" });
      await publishCommand(e(), subjects.commandsPc("restart-pc"), cmd);
      await waitResult(e(), execIdOf(cmd), "restart-pc");
      await first.stop();

      const second = await runAgent(e(), "restart-pc", data.path);
      try {
        const next = command({ script: "echo next" });
        await publishCommand(e(), subjects.commandsPc("restart-pc"), next);
        await waitResult(e(), execIdOf(next), "restart-pc");
        expect(await resultCount(e(), execIdOf(cmd))).toBe(1);
      } finally {
        await second.stop();
      }
    } finally {
      data.remove();
    }
  });

  it("replays the newest command an offline agent missed", async () => {
    const cmd = command({ script: "echo while you were away" });
    await publishCommand(e(), subjects.commandsPc("late-pc"), cmd);
    const agent = await runAgent(e(), "late-pc");
    try {
      const r = await waitResult(e(), execIdOf(cmd), "late-pc");
      expect(r.stdout).toBe("while you were away\n");
    } finally {
      await agent.stop();
    }
  });
});

describe("gates", () => {
  it("skips with 125 when the deadline passed, 126 when revoked, 124 on a version mismatch", async () => {
    await e().kv.status.put("revoked-job", "REVOKED");
    await e().kv.current.put("pinned-job", "2.0.0");
    const agent = await runAgent(e(), "gate-pc");
    try {
      const late = command({ script: "echo x", deadline_at: new Date(Date.now() - 60_000).toISOString() });
      await publishCommand(e(), subjects.commandsPc("gate-pc"), late);
      const r125 = await waitResult(e(), execIdOf(late), "gate-pc");
      expect([r125.status, r125.exit_code, r125.started_at]).toEqual(["skipped", SKIP_EXIT.DEADLINE_PASSED, null]);
      expect(r125.skip_reason).toMatch(/deadline/);

      // The KV views load asynchronously after start; a revoked job must eventually be refused.
      const r126 = await waitFor(async () => {
        const c = command({ script: "echo x", job_id: "revoked-job" });
        await publishCommand(e(), subjects.commandsPc("gate-pc"), c);
        const r = await waitResult(e(), execIdOf(c), "gate-pc");
        return r.exit_code === SKIP_EXIT.REVOKED ? r : undefined;
      });
      expect(r126.status).toBe("skipped");
      expect(r126.skip_reason).toMatch(/revoked/);

      const old = command({ script: "echo x", job_id: "pinned-job", version: "1.0.0" });
      await publishCommand(e(), subjects.commandsPc("gate-pc"), old);
      const r124 = await waitResult(e(), execIdOf(old), "gate-pc");
      expect([r124.status, r124.exit_code]).toEqual(["skipped", SKIP_EXIT.VERSION_MISMATCH]);

      const current = command({ script: "echo current", job_id: "pinned-job", version: "2.0.0", staleness: { mode: "strict", max_cache_age: "5m" } });
      await publishCommand(e(), subjects.commandsPc("gate-pc"), current);
      expect((await waitResult(e(), execIdOf(current), "gate-pc")).status).toBe("succeeded");

      const unchecked = command({ script: "echo anyway", job_id: "revoked-job", staleness: { mode: "unchecked" } });
      await publishCommand(e(), subjects.commandsPc("gate-pc"), unchecked);
      expect((await waitResult(e(), execIdOf(unchecked), "gate-pc")).status).toBe("succeeded");
    } finally {
      await agent.stop();
    }
  });
});
