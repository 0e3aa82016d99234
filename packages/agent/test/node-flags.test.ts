/**
 * Every real agent runs with the Node flags in packages/agent/node-flags.json (idle memory, see
 * docs/operator/performance.md): the workspace bin carries them in its #! line, and an agent started with
 * them comes online, logs them and runs a signed job as without them. (The single executable bakes them
 * in; test/release-build.test.ts checks that one.)
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { tempDir, waitFor } from "@kanade/testkit";
import { AGENT_NODE_FLAGS, command, endProcess, execIdOf, publishCommand, spawnAgentProcess, useEnv, waitResult } from "./fleet-env.js";

const BIN = fileURLToPath(new URL("../bin/kanade-agent.js", import.meta.url));
const e = useEnv();

describe("agent node flags", () => {
  it("are a non-empty list of node options, and the bin's #! line starts node with exactly them", () => {
    expect(AGENT_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const f of AGENT_NODE_FLAGS) expect(f).toMatch(/^--[a-z][a-z0-9-]*(=\S+)?$/);
    const shebang = readFileSync(BIN, "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${AGENT_NODE_FLAGS.join(" ")}`);
  });

  it("an agent started with them logs them at start and runs a signed job", async () => {
    const dir = tempDir("kanade-agent-flags-");
    const agent = await spawnAgentProcess(e(), "flags-pc", dir.join("data"), { KANADE_LOG: "info" });
    try {
      const logFile = join(dir.join("data"), "logs", "agent.log");
      await waitFor(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes('"msg":"agent starting"'), { what: "the agent's start line" });
      const start = readFileSync(logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg: string; node_flags?: string[] }).find((r) => r.msg === "agent starting");
      expect(start?.node_flags).toEqual(AGENT_NODE_FLAGS);
      const cmd = command({ script: "echo flagged" });
      await publishCommand(e(), subjects.commandsPc("flags-pc"), cmd);
      const result = await waitResult(e(), execIdOf(cmd), "flags-pc");
      expect(result.status).toBe("succeeded");
      expect(result.stdout).toBe("flagged\n");
    } finally {
      await endProcess(agent);
      dir.remove();
    }
  });

  it("without them (node bin/kanade-agent.js) the start line says so: the flags are not silently assumed", async () => {
    const dir = tempDir("kanade-agent-noflags-");
    const child = spawn(process.execPath, [BIN], {
      env: { ...process.env, KANADE_AGENT_ID: "noflags-pc", KANADE_NATS_URL: e().server.url, KANADE_AGENT_DATA_DIR: dir.path, KANADE_LOG: "info" },
      stdio: "ignore",
    });
    try {
      const logFile = join(dir.path, "logs", "agent.log");
      await waitFor(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes('"msg":"agent starting"'), { what: "the agent's start line" });
      const start = readFileSync(logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg: string; node_flags?: string[] }).find((r) => r.msg === "agent starting");
      expect(start?.node_flags).toEqual([]);
    } finally {
      await endProcess(child);
      dir.remove();
    }
  });
});
