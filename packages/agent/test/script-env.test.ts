/** A script's environment never carries the agent's credentials (a viewer can read any job's output). */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { tempDir, type TempDir } from "@kanade/testkit";
import { command, endProcess, execIdOf, publishCommand, spawnAgentProcess, useEnv, waitResult } from "./fleet-env.js";

const TOKEN = "broker-token-4d1f9a7c";
const ENROLL = "enroll-secret-77aa";
const SEED = "SUAKJQ7EXAMPLESEEDVALUE";
const e = useEnv({ token: TOKEN });
let data: TempDir;
let agent: ChildProcess | undefined;

beforeAll(async () => {
  data = tempDir("kanade-agent-env-");
  // It heartbeats only if it authenticated with the token.
  agent = await spawnAgentProcess(e(), "env-pc", data.path, {
    KANADE_NATS_TOKEN: TOKEN,
    // Secrets a later enrollment will bring, and a copy of the token under a name the agent does not know.
    KANADE_ENROLL_TOKEN: ENROLL,
    KANADE_NKEY_SEED: SEED,
    LEGACY_BROKER_SETTING: TOKEN,
  });
});

afterAll(async () => {
  if (agent) await endProcess(agent);
  data.remove();
});

describe("script environment", () => {
  it("a job running `env` shows the run's KANADE_* variables and none of the agent's secrets", async () => {
    const cmd = command({ script: "env", job_id: "show-env", version: "2.0.0" });
    await publishCommand(e(), subjects.commandsPc("env-pc"), cmd);
    const r = await waitResult(e(), execIdOf(cmd), "env-pc");
    expect(r.status).toBe("succeeded");
    const lines = r.stdout.split("\n");
    expect(lines).toEqual(expect.arrayContaining(["KANADE_PC_ID=env-pc", `KANADE_EXEC_ID=${execIdOf(cmd)}`, "KANADE_JOB_ID=show-env", "KANADE_JOB_VERSION=2.0.0"]));
    for (const secret of [TOKEN, ENROLL, SEED, "KANADE_NATS_TOKEN", "KANADE_ENROLL_TOKEN", "KANADE_NKEY_SEED", "LEGACY_BROKER_SETTING"]) {
      expect(r.stdout).not.toContain(secret);
    }
    // The rest of the agent's environment is still there.
    expect(lines.some((l) => l.startsWith("PATH="))).toBe(true);
  });
});
