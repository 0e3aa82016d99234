import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { badInput, CliError, exitCodeFor, formatError } from "./errors.js";

describe("exit codes", () => {
  it("maps bad input and HTTP 400 to 2", () => {
    expect(exitCodeFor(badInput("no target"))).toBe(2);
    expect(exitCodeFor(new CliError("invalid", { code: "INVALID_MANIFEST", status: 400 }))).toBe(2);
    expect(exitCodeFor(new CliError("weird", { code: "HTTP_400", status: 400 }))).toBe(2);
  });

  it("maps 401, 404, 409, 5xx and network failures to 1", () => {
    for (const [code, status] of [["UNAUTHORIZED", 401], ["JOB_NOT_FOUND", 404], ["CONFLICT", 409], ["INTERNAL", 500], ["NATS_UNAVAILABLE", 503]] as const) {
      expect(exitCodeFor(new CliError("x", { code, status }))).toBe(1);
    }
    expect(exitCodeFor(new CliError("cannot reach", { code: "NETWORK" }))).toBe(1);
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
