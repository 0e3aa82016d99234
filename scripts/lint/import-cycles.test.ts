import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";
import { fileGraph, findCycles, type Graph } from "./import-cycles.js";

const graph = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe("import cycles", () => {
  it("finds cycles of any length and self-imports, and nothing in a tree", () => {
    expect(findCycles(graph({ a: ["b"], b: ["c"], c: ["a"], d: ["a"] }))).toEqual([["a", "b", "c"]]);
    expect(findCycles(graph({ a: ["a"] }))).toEqual([["a"]]);
    expect(findCycles(graph({ a: ["b", "c"], b: ["c"], c: [] }))).toEqual([]);
  });

  it("follows type-only imports and re-exports between a package's files", () => {
    const dir = tempDir("kanade-cycles-");
    try {
      mkdirSync(join(dir.path, "src", "sub"), { recursive: true });
      writeFileSync(join(dir.path, "src", "a.ts"), 'import type { B } from "./sub/b.js";\nexport type A = B;\n');
      writeFileSync(join(dir.path, "src", "sub", "b.ts"), 'export * from "../c.js";\nexport type B = 1;\n');
      writeFileSync(join(dir.path, "src", "c.ts"), 'import type { A } from "./a.js";\nexport type C = A;\n');
      expect(findCycles(fileGraph(dir.path, dir.path))).toEqual([["src/a.ts", "src/c.ts", "src/sub/b.ts"]]);
    } finally {
      dir.remove();
    }
  });
});
