import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { OBJECT_STORES, subjects } from "@kanade/protocol";
import { tempDir, type TempDir } from "@kanade/testkit";
import type { RunningAgent } from "@kanade/agent";
import { command, execIdOf, publishCommand, runAgent, useEnv, waitResult } from "./fleet-env.js";

const PC = "script-object-pc";
const e = useEnv();
let agent: RunningAgent | undefined;
let scripts: ObjectStore;
let data: TempDir;
let marks: TempDir;

beforeAll(async () => {
  data = tempDir("kanade-agent-so-");
  marks = tempDir("kanade-marks-");
  scripts = await new Objm(e().nc).create(OBJECT_STORES.scripts);
  agent = await runAgent(e(), PC, data.path);
});

afterAll(async () => {
  await agent?.stop();
  data?.remove();
  marks?.remove();
});

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");

async function runObject(key: string, sha256: string) {
  const cmd = { ...command({ script: "" }), script: undefined, script_object: key, script_sha256: sha256 };
  await publishCommand(e(), subjects.commandsPc(PC), cmd);
  return waitResult(e(), execIdOf(cmd), PC);
}

describe("script_object commands", () => {
  it("downloads the body, verifies it, runs it and caches it by digest", async () => {
    const body = `touch ${join(marks.path, "ran-ok")}\necho "deployed by $KANADE_JOB_ID"\n`;
    await scripts.putBlob({ name: "deploy/1.0.0" }, new TextEncoder().encode(body));
    const r = await runObject("deploy/1.0.0", sha(body));
    expect(r.status).toBe("succeeded");
    expect(r.stdout).toBe("deployed by test-job\n");
    expect(readdirSync(join(data.path, "script-cache"))).toEqual([sha(body)]);
  });

  it("refuses to run a body whose sha256 is not the one the command names", async () => {
    const body = `touch ${join(marks.path, "ran-tampered")}\n`;
    await scripts.putBlob({ name: "deploy/2.0.0" }, new TextEncoder().encode(body));
    const r = await runObject("deploy/2.0.0", sha("what the operator published"));
    expect(r.status).toBe("error");
    expect(r.exit_code).toBeNull();
    expect(r.error).toContain("sha256 mismatch for script object deploy/2.0.0");
    expect(existsSync(join(marks.path, "ran-tampered"))).toBe(false);
  });

  it("reports a missing object as an error", async () => {
    const r = await runObject("nope/1.0.0", sha("x"));
    expect(r.status).toBe("error");
    expect(r.error).toContain("nope/1.0.0 is not in the scripts store");
  });
});
