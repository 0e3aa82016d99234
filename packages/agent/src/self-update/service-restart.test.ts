import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir, waitFor, type TempDir } from "@kanade/testkit";
import { parseCommandLine, requestServiceRestart } from "./service-restart.js";

const quiet = { info: () => undefined, warn: () => undefined };

describe("parseCommandLine", () => {
  it("splits a program and its arguments, with a quoted program path", () => {
    expect(parseCommandLine('"C:\\Program Files\\Kanade\\KanadeAgent.exe" restart!')).toEqual({ file: "C:\\Program Files\\Kanade\\KanadeAgent.exe", args: ["restart!"] });
    expect(parseCommandLine("/bin/systemctl restart --no-block kanade-agent.service")).toEqual({ file: "/bin/systemctl", args: ["restart", "--no-block", "kanade-agent.service"] });
    expect(parseCommandLine("  ")).toBeUndefined();
    expect(parseCommandLine(undefined)).toBeUndefined();
    expect(parseCommandLine('"unclosed restart!')).toBeUndefined();
  });
});

describe("requestServiceRestart", () => {
  let dir: TempDir | undefined;
  afterEach(() => dir?.remove());

  it("runs the configured command (a real process) and reports that it asked", async () => {
    dir = tempDir();
    const mark = dir.join("asked");
    expect(await requestServiceRestart({ KANADE_SERVICE_RESTART: `touch ${mark}` }, quiet)).toBe(true);
    await waitFor(() => existsSync(mark), { what: "the restart command to run" });
  });

  it("answers false when nothing is configured or the command cannot start", async () => {
    expect(await requestServiceRestart({}, quiet)).toBe(false);
    expect(await requestServiceRestart({ KANADE_SERVICE_RESTART: "/nonexistent/wrapper restart!" }, quiet)).toBe(false);
  });
});
