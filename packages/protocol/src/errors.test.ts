import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, KanadeError } from "./errors.js";

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
});
