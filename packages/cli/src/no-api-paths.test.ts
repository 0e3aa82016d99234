/**
 * The route table in @kanade/protocol is the only place an API path is written: the CLI calls routes by
 * name. Tests may still use literal paths (they check what went over the wire).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL(".", import.meta.url));

/** A string or template literal that starts with an API path, or the metrics path. */
const PATH_LITERAL = /["'`]\/(?:api\/|api["'`]|metrics\b)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("CLI sources", () => {
  it("write no API path: every request goes through a route of the table", () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) => (PATH_LITERAL.test(line) ? [`${relative(SRC, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it("would notice one", () => {
    for (const line of ['request("GET", "/api/jobs")', "fetch(`/api/jobs/${id}`)", "const p = '/metrics';", 'get("/api")']) {
      expect([line, PATH_LITERAL.test(line)]).toEqual([line, true]);
    }
    expect(PATH_LITERAL.test("// GET /api/jobs lists jobs")).toBe(false);
  });
});
