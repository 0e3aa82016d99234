/** The agent's data dir is 0700 and what it writes there 0600, even when an older build left it open. */
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { tempDir, waitFor } from "@kanade/testkit";
import { command, execIdOf, publishCommand, runAgent, useEnv, waitResult, waitStarted } from "./fleet-env.js";

const e = useEnv();
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe("data dir permissions", () => {
  it("tightens a world-readable data dir at start and writes markers, state and staged scripts owner-only", async () => {
    const t = tempDir("kanade-agent-modes-");
    const data = t.join("data");
    // What an older build under umask 022 left behind.
    mkdirSync(join(data, "state"), { recursive: true, mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(join(data, "state", "handled.json"), JSON.stringify({ ids: {} }), { mode: 0o644 });
    const agent = await runAgent(e(), "modes-pc", data);
    try {
      expect([mode(data), mode(join(data, "state")), mode(join(data, "state", "handled.json"))]).toEqual(["700", "700", "600"]);

      // The staged script reports its own mode and its folder's; the running marker is checked meanwhile.
      // Still running well after its started event (sent once a run has lasted STARTED_EVENT_DELAY_MS).
      const cmd = command({ script: 'stat -c %a "$0" "$(dirname "$0")"\nsleep 3' });
      await publishCommand(e(), subjects.commandsPc("modes-pc"), cmd);
      await waitStarted(e(), execIdOf(cmd), "modes-pc");
      const running = join(data, "running");
      const marker = await waitFor(() => readdirSync(running).find((n) => n.endsWith(".json")), { what: "the running marker" });
      expect([mode(running), mode(join(running, marker))]).toEqual(["700", "600"]);
      const r = await waitResult(e(), execIdOf(cmd), "modes-pc");
      expect(r.stdout).toBe("600\n700\n");
      expect([mode(join(data, "agent-scripts")), mode(join(data, "outbox")), mode(join(data, "state", "handled.json"))]).toEqual(["700", "700", "600"]);
    } finally {
      await agent.stop();
      t.remove();
    }
  });
});
