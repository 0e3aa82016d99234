/**
 * An idle agent keeps out of memory what only occasional work needs: the inventory collectors (and
 * `systeminformation`, which the agent runs in a short-lived `kanade-agent inventory` child instead),
 * the self-update download path, the object-store client, the other OS's perf source and the command line
 * (commander: an agent started with no arguments, as its service starts it, runs without it).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVENTORY_CATEGORIES, STREAMS, subjects } from "@kanade/protocol";
import { tempDir, waitFor, type TempDir } from "@kanade/testkit";
import { endProcess, spawnAgentProcess, useEnv } from "./fleet-env.js";

const REPORTER = fileURLToPath(new URL("./fixtures/report-modules.mjs", import.meta.url));
const e = useEnv();
let t: TempDir;

beforeAll(async () => {
  t = tempDir("kanade-agent-idle-");
  await e().jsm.streams.add({ name: STREAMS.INVENTORY, subjects: ["inventory.>"] });
});

afterAll(() => t.remove());

/** How many inventory categories this PC has published. */
async function inventoryPublished(pcId: string): Promise<number> {
  let n = 0;
  for (const c of INVENTORY_CATEGORIES) if (await e().jsm.streams.getMessage(STREAMS.INVENTORY, { last_by_subj: subjects.inventory(pcId, c) })) n++;
  return n;
}

describe("idle agent", () => {
  it("reports its inventory without loading systeminformation, the collectors, the update download, the object store or commander", async () => {
    const modulesFile = t.join("modules.json");
    const agent = await spawnAgentProcess(e(), "idle-pc", t.join("data"), {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${REPORTER}`.trim(),
      KANADE_TEST_MODULES_FILE: modulesFile,
      // Turns self-update on (as in a single-executable build): it follows target_version while idle.
      KANADE_AGENT_EXE: t.join("kanade-agent"),
    });
    try {
      // The first round runs at start: once every category is in, collection has happened.
      await waitFor(async () => (await inventoryPublished("idle-pc")) === INVENTORY_CATEGORIES.length, { timeoutMs: 60_000, what: "the first inventory" });
      agent.kill("SIGUSR2");
      await waitFor(() => existsSync(modulesFile), { what: "the list of loaded modules" });
      const loaded = JSON.parse(readFileSync(modulesFile, "utf8")) as string[];
      // The list is real: it has the modules idle work does use.
      expect(loaded.some((u) => u.includes("/agent/dist/intake.js"))).toBe(true);
      expect(loaded.some((u) => u.includes("/perf/linux-source.js"))).toBe(true);
      const lazy = ["/systeminformation/", "/agent/dist/inventory/collect.js", "/agent/dist/self-update/download.js", "/@nats-io/obj/", "/perf/windows-source.js", "/commander/", "/agent/dist/command-line.js"];
      expect(loaded.filter((u) => lazy.some((l) => u.includes(l)))).toEqual([]);
    } finally {
      await endProcess(agent);
    }
  });
});
