import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode } from "../errors.js";
import { CLIENT_ERROR_CODES } from "./api-error.js";
import { cliExitCodeFor } from "./cli-exit.js";

describe("cliExitCodeFor", () => {
  it("exits 2 for codes whose status says the request itself was bad, 1 for the rest", () => {
    const byExit = (exit: number): ErrorCode[] => (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => cliExitCodeFor(c) === exit).sort();
    expect(byExit(2)).toEqual(["BAD_REQUEST", "INVALID_CONFIG", "INVALID_MANIFEST", "INVALID_NOTIFICATION", "INVALID_SCHEDULE", "NO_TARGET", "OUTPUT_TOO_LARGE", "PAYLOAD_TOO_LARGE", "SSO_FAILED"]);
    for (const code of ["UNAUTHORIZED", "FORBIDDEN", "JOB_NOT_FOUND", "CONFLICT", "RATE_LIMITED", "NATS_UNAVAILABLE", "INTERNAL"] as const) {
      expect(cliExitCodeFor(code), code).toBe(1);
    }
  });

  it("follows the catalogue's status, so a new 400 code exits 2 without a list to update", () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][]) {
      expect(cliExitCodeFor(code), code).toBe([400, 413, 415, 422].includes(status) ? 2 : 1);
    }
  });

  it("exits 1 for failures the client detects itself", () => {
    expect(CLIENT_ERROR_CODES.map(cliExitCodeFor)).toEqual([1, 1, 1]);
  });
});

describe("docs/reference/errors.md", () => {
  const doc = readFileSync(join(import.meta.dirname, "../../../../docs/reference/errors.md"), "utf8");
  /** The "CLI exit" cell of each code's row, from either table. */
  const documentedExit = (code: string): number | undefined => {
    const row = doc.split("\n").find((l) => l.startsWith(`| \`${code}\` |`));
    const cells = row?.split("|").map((c) => c.trim());
    const exit = cells?.[2] && /^\d$/.test(cells[2]) ? cells[2] : cells?.[3];
    return exit === undefined ? undefined : Number(exit);
  };

  it("documents every code's CLI exit as cliExitCodeFor computes it, client-side codes included", () => {
    const codes = [...(Object.keys(ERROR_CODES) as ErrorCode[]), ...CLIENT_ERROR_CODES];
    const wrong = codes.filter((c) => documentedExit(c) !== cliExitCodeFor(c)).map((c) => `${c}: doc says ${documentedExit(c)}, code says ${cliExitCodeFor(c)}`);
    expect(wrong).toEqual([]);
  });
});
