import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SKIP_EXIT, subjects } from "@kanade/protocol";
import { testCommandKeys, waitFor } from "@kanade/testkit";
import { startSimulatedFleet, type SimulatedFleet } from "@kanade/agent";
import { command, execIdOf, publishCommand, quietLog, resultCount, useEnv, waitResult } from "./fleet-env.js";

const e = useEnv();
let fleet: SimulatedFleet | undefined;
/** Issued to the whole fleet before these simulated PCs first connected: none of them may run it. */
const beforeTheFleet = command({ script: "echo before the fleet existed" });

beforeAll(async () => {
  await publishCommand(e(), subjects.commandsAll(), beforeTheFleet);
  fleet = await startSimulatedFleet({ count: 5, natsUrl: e().server.url, prefix: "simt-", dataDir: "/nonexistent", log: quietLog, batchSize: 2, commandKeys: testCommandKeys().keys });
});

afterAll(async () => {
  await fleet?.stop();
});

describe("simulated fleet", () => {
  it("names agents sim-style and runs echo scripts through the real result path", async () => {
    expect(fleet?.pcIds).toEqual(["simt-0001", "simt-0002", "simt-0003", "simt-0004", "simt-0005"]);
    const cmd = command({ script: 'echo "hello fleet"' });
    await publishCommand(e(), subjects.commandsAll(), cmd);
    for (const pc of fleet?.pcIds ?? []) {
      const r = await waitResult(e(), execIdOf(cmd), pc);
      expect([r.status, r.stdout]).toEqual(["succeeded", "hello fleet\n"]);
    }
    expect(await resultCount(e(), execIdOf(beforeTheFleet))).toBe(0);
  });

  it("reports anything but echo lines as skipped 122", async () => {
    const cmd = command({ script: "sleep 1" });
    await publishCommand(e(), subjects.commandsPc("simt-0003"), cmd);
    const r = await waitResult(e(), execIdOf(cmd), "simt-0003");
    expect([r.status, r.exit_code, r.skip_reason]).toEqual(["skipped", SKIP_EXIT.UNSUPPORTED, "simulator runs only echo scripts"]);
  });

  it("follows group membership from the shared watcher", async () => {
    await e().kv.groups.put("simt-0002", JSON.stringify({ groups: ["canary"] }));
    const r = await waitFor(async () => {
      const cmd = command({ script: "echo canary" });
      await publishCommand(e(), subjects.commandsGroup("canary"), cmd);
      return waitResult(e(), execIdOf(cmd), "simt-0002", 300).catch(() => undefined);
    });
    expect(r.stdout).toBe("canary\n");
  });
});
