/** The route table in @kanade/protocol is the only place an API path is written: none may appear in the web UI's sources. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL(".", import.meta.url));
// A path literal starts right after its opening quote: "/api/…", '/api/…' or `/api/…`.
const PATH_LITERAL = /["'`]\/api\//;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** `file:line: text` for each line of `files` that writes an API path as a string. */
function pathLiterals(files: readonly string[]): string[] {
  return files.flatMap((f) =>
    readFileSync(f, "utf8")
      .split("\n")
      .flatMap((line, i) => (PATH_LITERAL.test(line) ? [`${relative(SRC, f)}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe("API paths in the web UI", () => {
  it("are never written as strings: pages call routes by name through the typed client", () => {
    const self = fileURLToPath(import.meta.url);
    expect(pathLiterals(sources(SRC).filter((f) => f !== self))).toEqual([]);
  });
  it("would be found in any of the three quote styles", () => {
    const q = "/" + "api/";
    for (const literal of [`"${q}jobs"`, `'${q}jobs'`, `\`${q}jobs/\${id}\``]) expect(PATH_LITERAL.test(`fetch(${literal})`), literal).toBe(true);
    expect(PATH_LITERAL.test("/** GET /api/jobs lists jobs */")).toBe(false);
  });
});
