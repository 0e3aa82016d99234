import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, KanadeError, apiErrorBodySchema } from "./errors.js";

describe("error catalogue", () => {
  it("documents every error code in docs/reference/errors.md", () => {
    const doc = join(import.meta.dirname, "../../../docs/reference/errors.md");
    expect(existsSync(doc), "docs/reference/errors.md exists").toBe(true);
    const text = readFileSync(doc, "utf8");
    const missing = Object.keys(ERROR_CODES).filter((code) => !text.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("maps a code to its HTTP status and API body", () => {
    const e = new KanadeError("JOB_NOT_FOUND", "no job named x", { details: [{ path: "job_id", message: "unknown" }] });
    expect(e.status).toBe(404);
    expect(e.toBody()).toEqual({ error: { code: "JOB_NOT_FOUND", message: "no job named x", details: [{ path: "job_id", message: "unknown" }] } });
    expect(new KanadeError("UNAUTHORIZED").message).toBe("Missing or invalid bearer token");
  });

  it("reads every body the backend writes with the one error-body schema, and only those", () => {
    const body = new KanadeError("NO_TARGET", undefined, { details: [{ path: "", message: "one of pcs, groups or all is required" }] }).toBody();
    expect(apiErrorBodySchema.parse(body)).toEqual(body);
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      expect(apiErrorBodySchema.safeParse(new KanadeError(code).toBody()).success, code).toBe(true);
    }
    expect(apiErrorBodySchema.safeParse({ error: { code: "NOT_A_CODE", message: "x" } }).success).toBe(false);
    expect(apiErrorBodySchema.safeParse({ message: "Bad Gateway" }).success).toBe(false);
  });
});
