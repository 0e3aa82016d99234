/** Pure text/argv builders for staged scripts (SPEC §6 "Staging"); unit-tested without spawning. */
import type { Shell } from "@kanade/protocol/wire";
import type { Argv } from "../platform/types.js";

export const SCRIPT_EXTENSIONS: Record<Shell, string> = {
  powershell: "ps1",
  pwsh: "ps1",
  cmd: "cmd",
  sh: "sh",
  bash: "sh",
};

/** A PowerShell single-quoted literal: only `'` is special, and it is escaped by doubling. */
export const psSingleQuote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * The launcher makes the console speak UTF-8 before the real script runs, so non-ASCII output
 * survives, and forwards the script's exit code (PowerShell -File would otherwise report 0/1).
 */
export function powershellLauncher(scriptPath: string): string {
  return [
    "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8",
    "$OutputEncoding = [System.Text.Encoding]::UTF8",
    `& ${psSingleQuote(scriptPath)} @args`,
    "exit $LASTEXITCODE",
    "",
  ].join("\r\n");
}

export const usesLauncher = (shell: Shell): boolean => shell === "powershell" || shell === "pwsh";

/** How to start a staged entry file (the launcher for PowerShell, the script itself otherwise). */
export function argvFor(shell: Shell, entryPath: string): Argv {
  switch (shell) {
    case "powershell":
    case "pwsh":
      return {
        file: shell === "powershell" ? "powershell.exe" : "pwsh",
        args: ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", entryPath],
      };
    case "cmd":
      return { file: "cmd.exe", args: ["/d", "/c", entryPath] };
    case "sh":
    case "bash":
      return { file: shell, args: [entryPath] };
  }
}

/**
 * `@echo off` first, or cmd echoes every command line (`C:\…>echo hi`) into the script's stdout; then
 * cmd.exe, which reads scripts in the OEM code page, is switched to 65001 so the output is UTF-8.
 */
export const cmdScriptBody = (body: string): string => `@echo off\r\nchcp 65001 >nul\r\n${body}`;
