import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { stageScript } from "./stage.js";

describe("stageScript", () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.remove());

  it("writes a cmd script that starts with @echo off, so cmd does not echo its command lines", async () => {
    dir = tempDir();
    const staged = await stageScript(dir.path, "cmd", "echo hello\r\nexit /b 3\r\n");
    expect(staged.entryPath).toBe(staged.scriptPath);
    expect(staged.scriptPath).toMatch(/\.cmd$/);
    const lines = readFileSync(staged.scriptPath, "utf8").split("\r\n");
    expect(lines[0]).toBe("@echo off");
    expect(lines.slice(2)).toEqual(["echo hello", "exit /b 3", ""]);
    await staged.remove();
  });

  it("leaves sh scripts as written", async () => {
    dir = tempDir();
    const staged = await stageScript(dir.path, "sh", "echo hi\n");
    expect(readFileSync(staged.scriptPath, "utf8")).toBe("echo hi\n");
  });
});
