import { describe, expect, it } from "vitest";
import { argvFor, cmdScriptBody, powershellLauncher, psSingleQuote } from "./launcher.js";

describe("powershellLauncher", () => {
  it("sets UTF-8 output, calls the script with its args and forwards the exit code", () => {
    const text = powershellLauncher("C:\\ProgramData\\Kanade\\agent\\agent-scripts\\u\\kanade-u.ps1");
    expect(text.split("\r\n")).toEqual([
      "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8",
      "$OutputEncoding = [System.Text.Encoding]::UTF8",
      "& 'C:\\ProgramData\\Kanade\\agent\\agent-scripts\\u\\kanade-u.ps1' @args",
      "exit $LASTEXITCODE",
      "",
    ]);
  });

  it("doubles single quotes and leaves spaces, $ and unicode literal", () => {
    expect(powershellLauncher("C:\\Users\\O'Brien\\My Scripts\\$x 日本語.ps1")).toContain(
      "& 'C:\\Users\\O''Brien\\My Scripts\\$x 日本語.ps1' @args",
    );
    expect(psSingleQuote("''")).toBe("''''''");
  });
});

describe("argvFor", () => {
  it("runs PowerShell non-interactively with the launcher file", () => {
    expect(argvFor("powershell", "C:\\s\\l.ps1")).toEqual({
      file: "powershell.exe",
      args: ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", "C:\\s\\l.ps1"],
    });
    expect(argvFor("pwsh", "/s/l.ps1").file).toBe("pwsh");
  });

  it("runs sh and bash scripts with their own interpreter", () => {
    expect(argvFor("sh", "/d/kanade-x.sh")).toEqual({ file: "sh", args: ["/d/kanade-x.sh"] });
    expect(argvFor("bash", "/d/kanade-x.sh")).toEqual({ file: "bash", args: ["/d/kanade-x.sh"] });
  });

  it("turns command echo off, then switches cmd scripts to UTF-8", () => {
    expect(cmdScriptBody("echo hi").split("\r\n")).toEqual(["@echo off", "chcp 65001 >nul", "echo hi"]);
  });
});
