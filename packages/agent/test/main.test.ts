import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "@kanade/protocol";
import { runBin, tempDir, waitFor, type TempDir } from "@kanade/testkit";
import { useEnv } from "./fleet-env.js";

const BIN = fileURLToPath(new URL("../bin/kanade-agent.js", import.meta.url));
const e = useEnv();
let data: TempDir | undefined;

beforeAll(() => {
  data = tempDir("kanade-agent-bin-");
});

afterAll(() => {
  data?.remove();
});

describe("kanade-agent binary", () => {
  it("prints its version and the Node version it runs on", async () => {
    const r = await runBin("agent", "kanade-agent", ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`0.1.0 (node ${process.version})`);
  });

  it("refuses a bad pc_id with a clear message", async () => {
    const r = await runBin("agent", "kanade-agent", [], { env: { KANADE_AGENT_ID: "no/slashes" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pc_id "no\/slashes" is not valid/);
  });

  it("runs from env alone, heartbeats, and exits 0 on SIGTERM", async () => {
    const env = e();
    if (!data) throw new Error("not started");
    const seen: string[] = [];
    const sub = env.nc.subscribe(subjects.heartbeat("bin-pc"), { callback: (_e, m) => void seen.push(m.string()) });
    await env.nc.flush();
    const child = spawn(process.execPath, [BIN], {
      env: { ...process.env, KANADE_AGENT_ID: "bin-pc", KANADE_NATS_URL: env.server.url, KANADE_AGENT_DATA_DIR: data.path, KANADE_LOG: "warn" },
      stdio: "ignore",
    });
    try {
      await waitFor(() => seen.length > 0, { what: "a heartbeat from the binary" });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      sub.unsubscribe();
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("logs JSON to stderr and to <data_dir>/logs/agent.log, never to stdout", async () => {
    const env = e();
    const dir = tempDir("kanade-agent-logs-");
    const child = spawn(process.execPath, [BIN], {
      env: { ...process.env, KANADE_AGENT_ID: "log-pc", KANADE_NATS_URL: env.server.url, KANADE_AGENT_DATA_DIR: dir.path, KANADE_LOG: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      const logFile = join(dir.path, "logs", "agent.log");
      await waitFor(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes('"msg":"agent ready"'), { what: "the agent's log file" });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const fileRecords = readFileSync(logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { msg: string });
      expect(fileRecords.map((r) => r.msg)).toContain("stopping");
      expect(stderr).toContain('"msg":"stopping"');
      expect(stdout).toBe("");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      dir.remove();
    }
  });
});
