import { CommanderError } from "commander";
import { ERROR_CODES, type ErrorCode } from "@kanade/protocol";
import { describe, expect, it } from "vitest";
import { badInput, CliError, exitCodeFor, formatError } from "./errors.js";

describe("exit codes", () => {
  it("maps bad input to 2, and every catalogue code by its HTTP status: 400, 413, 415, 422 → 2, the rest → 1", () => {
    expect(exitCodeFor(badInput("no target"))).toBe(2);
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const expected = [400, 413, 415, 422].includes(ERROR_CODES[code].status) ? 2 : 1;
      expect([code, exitCodeFor(new CliError("x", { code, status: ERROR_CODES[code].status }))]).toEqual([code, expected]);
    }
    // The code decides, not a status a proxy may have rewritten.
    expect(exitCodeFor(new CliError("invalid", { code: "INVALID_MANIFEST", status: 502 }))).toBe(2);
    expect(exitCodeFor(new CliError("too big", { code: "PAYLOAD_TOO_LARGE", status: 413 }))).toBe(2);
  });

  it("maps failures with no API code to 1: network, bad or unknown answers, runs that failed, bugs", () => {
    for (const code of ["NETWORK", "BAD_RESPONSE", "HTTP_ERROR", "RUN_FAILED", "FAILED"] as const) {
      expect(exitCodeFor(new CliError("x", { code, status: 400 }))).toBe(1);
    }
    expect(exitCodeFor(new CliError("no code"))).toBe(1);
    expect(exitCodeFor(new Error("bug"))).toBe(1);
  });

  it("maps usage errors to 2 but help and --version to 0", () => {
    expect(exitCodeFor(new CommanderError(1, "commander.unknownCommand", "unknown command"))).toBe(2);
    expect(exitCodeFor(new CommanderError(1, "commander.missingArgument", "missing"))).toBe(2);
    expect(exitCodeFor(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))).toBe(0);
    expect(exitCodeFor(new CommanderError(0, "commander.version", "0.1.0"))).toBe(0);
  });
});

describe("formatError", () => {
  it("prints the message then one indented line per detail", () => {
    const err = new CliError("The job manifest is invalid", {
      status: 400,
      details: [{ path: "execute.shell", message: "expected one of sh, bash" }, { path: "", message: "bad document" }],
    });
    expect(formatError(err)).toBe("error: The job manifest is invalid\n  execute.shell: expected one of sh, bash\n  bad document\n");
  });
});
