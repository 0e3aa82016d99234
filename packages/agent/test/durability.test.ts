import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { heartbeatSchema, subjects } from "@kanade/protocol";
import { tempDir, waitFor } from "@kanade/testkit";
import { command, execIdOf, publishCommand, runAgent, useEnv, waitResult, waitStarted } from "./fleet-env.js";

const e = useEnv();

describe("durability", () => {
  it("sends a valid heartbeat as soon as it starts", async () => {
    const seen: unknown[] = [];
    const sub = e().nc.subscribe(subjects.heartbeat("hb-pc"), { callback: (_err, msg) => void seen.push(msg.json()) });
    await e().nc.flush();
    const agent = await runAgent(e(), "hb-pc");
    try {
      const first = await waitFor(() => seen[0]);
      const hb = heartbeatSchema.parse(first);
      expect(hb.pc_id).toBe("hb-pc");
      expect(hb.heartbeat_interval_secs).toBe(30);
      expect(hb.agent_rss_bytes).toBeGreaterThan(0);
    } finally {
      sub.unsubscribe();
      await agent.stop();
    }
  });

  it("keeps a result in the outbox while the broker is down and publishes it after reconnect", async () => {
    const data = tempDir("kanade-agent-outbox-");
    const agent = await runAgent(e(), "outbox-pc", data.path);
    try {
      // Still running well after its started event (sent once a run has lasted STARTED_EVENT_DELAY_MS).
      const cmd = command({ script: "sleep 3\necho done" });
      await publishCommand(e(), subjects.commandsPc("outbox-pc"), cmd);
      await waitStarted(e(), execIdOf(cmd), "outbox-pc");
      await e().server.stop();
      const outbox = join(data.path, "outbox");
      const waiting = await waitFor(() => existsSync(outbox) && readdirSync(outbox).find((n) => n.endsWith(".json")), {
        what: "the result to wait in the outbox",
      });
      // Results carry script output: owner-only, like everything under data_dir.
      expect((statSync(join(outbox, waiting)).mode & 0o777).toString(8)).toBe("600");
      await e().server.start();
      const r = await waitResult(e(), execIdOf(cmd), "outbox-pc", 20_000);
      expect(r.status).toBe("succeeded");
      expect(r.stdout).toBe("done\n");
      await waitFor(() => readdirSync(outbox).length === 0, { what: "the outbox to empty" });
    } finally {
      await agent.stop();
      data.remove();
    }
  });

  it("reports a run cut short by an agent stop as error on the next start", async () => {
    const data = tempDir("kanade-agent-marker-");
    try {
      const first = await runAgent(e(), "marker-pc", data.path);
      const cmd = command({ script: "echo started\nsleep 30" });
      await publishCommand(e(), subjects.commandsPc("marker-pc"), cmd);
      await waitStarted(e(), execIdOf(cmd), "marker-pc");
      await first.stop();

      const second = await runAgent(e(), "marker-pc", data.path);
      try {
        const r = await waitResult(e(), execIdOf(cmd), "marker-pc");
        expect(r.status).toBe("error");
        expect(r.error).toMatch(/agent stopped while the script was running/);
        expect(r.started_at).not.toBeNull();
      } finally {
        await second.stop();
      }
    } finally {
      data.remove();
    }
  });
});
