/**
 * A fleet-wide or group command reaches the PCs that were its targets when it was issued, including
 * those offline then; a PC that joins later (a new PC, or one added to the group) does not run it.
 */
import { describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { sleep, tempDir, waitFor } from "@kanade/testkit";
import type { RunningAgent } from "@kanade/agent";
import { command, execIdOf, publishCommand, resultCount, runAgent, useEnv, waitResult, type Env } from "./fleet-env.js";

const e = useEnv();

/** Round-trips a command to the PC itself: once its result is in, every replay before it was handled. */
async function settle(env: Env, pcId: string): Promise<void> {
  const probe = command({ script: "echo probe" });
  await publishCommand(env, subjects.commandsPc(pcId), probe);
  await waitResult(env, execIdOf(probe), pcId);
  await sleep(300); // a run of the old command would be published about as fast as the probe's
}

async function withAgent<T>(pcId: string, dataDir: string, body: (agent: RunningAgent) => Promise<T>): Promise<T> {
  const agent = await runAgent(e(), pcId, dataDir);
  try {
    return await body(agent);
  } finally {
    await agent.stop();
  }
}

describe("joining after a command was issued", () => {
  it("a new PC does not run the fleet-wide command issued before it first connected", async () => {
    const old = command({ script: "echo from last week" });
    await publishCommand(e(), subjects.commandsAll(), old);
    const data = tempDir("kanade-agent-join-");
    try {
      await withAgent("join-new-pc", data.path, () => settle(e(), "join-new-pc"));
      // Nor on its next start.
      await withAgent("join-new-pc", data.path, () => settle(e(), "join-new-pc"));
      expect(await resultCount(e(), execIdOf(old))).toBe(0);
    } finally {
      data.remove();
    }
  });

  it("a known PC that was offline when a fleet-wide command was issued runs it when it comes back", async () => {
    const data = tempDir("kanade-agent-join-");
    try {
      await withAgent("join-known-pc", data.path, () => settle(e(), "join-known-pc"));
      const missed = command({ script: "echo while you were away" });
      await publishCommand(e(), subjects.commandsAll(), missed);
      const r = await withAgent("join-known-pc", data.path, () => waitResult(e(), execIdOf(missed), "join-known-pc"));
      expect(r.stdout).toBe("while you were away\n");
    } finally {
      data.remove();
    }
  });

  it("a PC added to a group after its command does not run it; a member that was offline does", async () => {
    const old = command({ script: "echo before you joined" });
    await publishCommand(e(), subjects.commandsGroup("join-lab"), old);
    const newcomer = tempDir("kanade-agent-join-");
    const member = tempDir("kanade-agent-join-");
    try {
      await e().kv.groups.put("join-newcomer", JSON.stringify({ groups: ["join-lab"] }));
      await withAgent("join-newcomer", newcomer.path, () => settle(e(), "join-newcomer"));
      expect(await resultCount(e(), execIdOf(old))).toBe(0);

      await e().kv.groups.put("join-member", JSON.stringify({ groups: ["join-lab2"] }));
      await withAgent("join-member", member.path, () => settle(e(), "join-member"));
      const missed = command({ script: "echo group while away" });
      await publishCommand(e(), subjects.commandsGroup("join-lab2"), missed);
      const r = await withAgent("join-member", member.path, () => waitResult(e(), execIdOf(missed), "join-member"));
      expect(r.stdout).toBe("group while away\n");
    } finally {
      newcomer.remove();
      member.remove();
    }
  });

  it("a group joined while running counts from that moment: older commands never run, ones missed while offline do", async () => {
    const old = command({ script: "echo older than the membership" });
    await publishCommand(e(), subjects.commandsGroup("join-live"), old);
    const data = tempDir("kanade-agent-join-");
    try {
      await withAgent("join-live-pc", data.path, async () => {
        await e().kv.groups.put("join-live-pc", JSON.stringify({ groups: ["join-live"] }));
        await waitFor(async () => (await e().nc.request(subjects.agentPing("join-live-pc"), "", { timeout: 2_000 })).json<{ groups: string[] }>().groups.includes("join-live"), {
          what: "the agent to follow the new group",
        });
      });
      const missed = command({ script: "echo issued after joining" });
      await publishCommand(e(), subjects.commandsGroup("join-live"), missed);
      const r = await withAgent("join-live-pc", data.path, async () => {
        const result = await waitResult(e(), execIdOf(missed), "join-live-pc");
        await settle(e(), "join-live-pc");
        return result;
      });
      expect(r.stdout).toBe("issued after joining\n");
      expect(await resultCount(e(), execIdOf(old))).toBe(0);
    } finally {
      data.remove();
    }
  });
});
