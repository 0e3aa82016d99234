import { readdirSync, readFileSync, statSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { createLogger } from "./log.js";
import { RollingLogFile } from "./log-file.js";

describe("RollingLogFile", () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.remove());

  it("rolls agent.log to agent.1.log … when it passes the size, keeping only the newest files", () => {
    dir = tempDir();
    const file = new RollingLogFile(dir.join("logs"), "agent", 100, 2);
    for (let i = 0; i < 10; i++) file.write(`${JSON.stringify({ i, pad: "x".repeat(20) })}\n`);
    file.close();
    expect(readdirSync(dir.join("logs")).sort()).toEqual(["agent.1.log", "agent.2.log", "agent.log"]);
    const lines = (n: string): number[] => readFileSync(dir!.join("logs", n), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { i: number }).i);
    // Nothing is split across files, nothing lost between the kept ones, newest in agent.log.
    expect([...lines("agent.2.log"), ...lines("agent.1.log"), ...lines("agent.log")]).toEqual([4, 5, 6, 7, 8, 9]);
    for (const n of ["agent.log", "agent.1.log"]) expect(statSync(dir.join("logs", n)).size).toBeLessThanOrEqual(100);
    if (process.platform !== "win32") expect(statSync(dir.join("logs", "agent.log")).mode & 0o777).toBe(0o600);
  });

  it("appends to an existing file after a restart and counts its size", () => {
    dir = tempDir();
    const first = new RollingLogFile(dir.join("logs"), "agent", 1000);
    first.write("a\n");
    first.close();
    const second = new RollingLogFile(dir.join("logs"), "agent", 1000);
    second.write("b\n");
    second.close();
    expect(readFileSync(dir.join("logs", "agent.log"), "utf8")).toBe("a\nb\n");
  });

  it("receives the agent's JSON log records through the logger", () => {
    dir = tempDir();
    const file = new RollingLogFile(dir.join("logs"), "agent");
    const log = createLogger("info", {}, { file, stderr: false });
    log.info({ exec_id: "e1" }, "hello");
    log.debug("not at info");
    file.close();
    const records = readFileSync(dir.join("logs", "agent.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 30, msg: "hello", exec_id: "e1" });
  });
});
