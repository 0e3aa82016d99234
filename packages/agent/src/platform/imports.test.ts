import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..");

/** Every relative import of the .ts files in `dir` (tests included). */
function importsOf(dir: string): { file: string; spec: string }[] {
  return readdirSync(join(SRC, dir))
    .filter((f) => f.endsWith(".ts"))
    .flatMap((file) =>
      [...readFileSync(join(SRC, dir, file), "utf8").matchAll(/from "(\.[^"]+)"|import\("(\.[^"]+)"\)/g)].map((m) => ({ file: `${dir}/${file}`, spec: m[1] ?? m[2] ?? "" })),
    );
}

describe("module direction", () => {
  it("platform/ imports neither exec/ nor perf/: they depend on it, not the other way", () => {
    expect(importsOf("platform").filter((i) => /^\.\.\/(exec|perf)\//.test(i.spec))).toEqual([]);
  });

  it("perf/ holds every OS's perf source and reaches into no platform/ file", () => {
    expect(importsOf("perf").filter((i) => i.spec.startsWith("../platform/"))).toEqual([]);
    expect(readdirSync(join(SRC, "platform")).filter((f) => /perf/.test(f))).toEqual([]);
  });
});
