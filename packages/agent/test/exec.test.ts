import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INLINE_OUTPUT_CAP_BYTES, subjects } from "@kanade/protocol";
import { sleep, testCommandKeys, waitFor } from "@kanade/testkit";
import type { RunningAgent } from "@kanade/agent";
import { command, execIdOf, publishCommand, runAgent, useEnv, waitResult, waitStarted } from "./fleet-env.js";

const PC = "exec-pc";
const e = useEnv();
let agent: RunningAgent | undefined;

beforeAll(async () => {
  agent = await runAgent(e(), PC);
});

afterAll(async () => {
  await agent?.stop();
});

async function run(input: Parameters<typeof command>[0]) {
  const cmd = command(input);
  await publishCommand(e(), subjects.commandsPc(PC), cmd);
  return waitResult(e(), execIdOf(cmd), PC);
}

/** Is any process whose command line contains `marker` still alive? */
function processAlive(marker: string): boolean {
  const out = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
  return out.split("\n").some((l) => l.includes(marker) && !l.includes("ps -eo"));
}

describe("running commands", () => {
  it("runs a sh script and reports succeeded with its stdout and environment", async () => {
    const r = await run({ script: 'echo "hello from $KANADE_PC_ID $KANADE_JOB_ID $KANADE_JOB_VERSION"\necho oops >&2' });
    expect(r.status).toBe("succeeded");
    expect(r.exit_code).toBe(0);
    expect(r.stdout).toBe("hello from exec-pc test-job 1.0.0\n");
    expect(r.stderr).toBe("oops\n");
    expect(r.pc_id).toBe(PC);
    expect(r.run_as).toBe("system");
    expect(r.started_at).not.toBeNull();
  });

  it("reports a non-zero exit as failed with the exit code", async () => {
    const r = await run({ script: "echo partial\nexit 3" });
    expect(r.status).toBe("failed");
    expect(r.exit_code).toBe(3);
    expect(r.stdout).toBe("partial\n");
  });

  it("keeps Japanese output intact", async () => {
    const r = await run({ shell: "bash", script: "printf '日本語のテスト\\n'; printf '奏%.0s' $(seq 1 5000)" });
    expect(r.status).toBe("succeeded");
    expect(r.stdout.startsWith("日本語のテスト\n")).toBe(true);
    expect(r.stdout).toContain("奏".repeat(5000));
    expect(r.stdout).not.toContain("\uFFFD");
  });

  it("caps 1 MiB of stdout at 256 KiB and flags it", async () => {
    const r = await run({ script: "head -c 1048576 /dev/zero | tr '\\0' 'x'" });
    expect(r.status).toBe("succeeded");
    expect(Buffer.byteLength(r.stdout)).toBe(INLINE_OUTPUT_CAP_BYTES);
    expect(r.stdout_truncated).toBe(true);
    expect(r.stderr_truncated).toBe(false);
  });

  it("times out, kills the whole tree and keeps the output so far", async () => {
    const marker = `kanade-timeout-${Date.now()}`;
    const cmd = command({ timeout_secs: 2, script: `echo before\nsh -c 'sleep 30; echo ${marker}' &\nsleep 30` });
    await publishCommand(e(), subjects.commandsPc(PC), cmd);
    await waitFor(() => processAlive(`echo ${marker}`), { timeoutMs: 2_000, what: "the grandchild to start" });
    const r = await waitResult(e(), execIdOf(cmd), PC, 5_000);
    expect(r.status).toBe("timed_out");
    expect(r.exit_code).toBeNull();
    expect(r.stdout).toBe("before\n");
    await waitFor(() => !processAlive(`echo ${marker}`), { timeoutMs: 1_000, what: "the grandchild to be gone" });
  });

  it("kill.<exec_id> ends a running script within about a second", async () => {
    const cmd = command({ script: "echo started\nsleep 30" });
    await publishCommand(e(), subjects.commandsPc(PC), cmd);
    const execId = execIdOf(cmd);
    await waitStarted(e(), execId, PC);
    await sleep(300); // let the script print before we kill it
    e().nc.publish(subjects.kill(execId), JSON.stringify(testCommandKeys().signKill({ exec_id: execId, issued_by: "test", issued_at: new Date().toISOString() })));
    const r = await waitResult(e(), execId, PC, 2_000);
    expect(r.status).toBe("killed");
    expect(r.exit_code).toBeNull();
    expect(r.stdout).toBe("started\n");
  });

  it("a kill during the jitter sleep cancels the run", async () => {
    const cmd = command({ script: "echo never", jitter_secs: 30 });
    await publishCommand(e(), subjects.commandsPc(PC), cmd);
    await sleep(300);
    e().nc.publish(subjects.kill(execIdOf(cmd)), JSON.stringify(testCommandKeys().signKill({ exec_id: execIdOf(cmd), issued_by: "test", issued_at: new Date().toISOString() })));
    const r = await waitResult(e(), execIdOf(cmd), PC, 3_000);
    expect(r.status).toBe("killed");
    expect(r.started_at).toBeNull();
    expect(r.stdout).toBe("");
  });

  it("drops a malformed command and keeps working", async () => {
    await publishCommand(e(), subjects.commandsPc(PC), "{not json");
    await publishCommand(e(), subjects.commandsPc(PC), JSON.stringify({ exec_id: "nope", script: "echo x" }));
    const r = await run({ script: "echo still alive" });
    expect(r.status).toBe("succeeded");
    expect(r.stdout).toBe("still alive\n");
  });

  it("runs in the given cwd, and reports a missing cwd as error", async () => {
    const ok = await run({ script: "pwd", cwd: "/tmp" });
    expect(ok.stdout).toBe("/tmp\n");
    const bad = await run({ script: "pwd", cwd: "/nonexistent-kanade-dir" });
    expect(bad.status).toBe("error");
    expect(bad.error).toMatch(/cwd \/nonexistent-kanade-dir is not a directory/);
  });

  it("reports an unsupported shell as skipped 122", async () => {
    const r = await run({ shell: "cmd", script: "echo hi" });
    expect(r.status).toBe("skipped");
    expect(r.exit_code).toBe(122);
    expect(r.skip_reason).toMatch(/cmd/);
    expect(r.started_at).toBeNull();
  });

  it("answers a ping with a heartbeat", async () => {
    const reply = await e().nc.request(subjects.agentPing(PC), "", { timeout: 2_000 });
    const hb = reply.json<{ pc_id: string; os_family: string; agent_version: string }>();
    expect(hb.pc_id).toBe(PC);
    expect(hb.os_family).toBe("linux");
    expect(hb.agent_version).toBe("0.1.0");
  });
});
