/**
 * Finds import cycles between the source files of each package, type-only imports included (they are design
 * knots too), plus cycles between packages through their runtime dependencies. Run by `npm run lint`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export type Graph = Map<string, Set<string>>;

/** Every cycle as a list of nodes (strongly connected components with more than one node, or a self-import). */
export function findCycles(graph: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles;
}

const SOURCE = /\.(ts|tsx|mts)$/;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** `./x.js` → `./x.ts` (NodeNext style), `./x` → `./x.ts(x)` or `./x/index.ts` (bundler style). */
function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(m?js|jsx)$/, "");
  const candidates = [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(base, "index.ts"), join(base, "index.tsx")];
  return candidates.find((c) => existsSync(c));
}

/** The import graph of one package's files (src and test), keyed by path relative to `root`. */
export function fileGraph(pkgDir: string, root: string): Graph {
  const graph: Graph = new Map();
  for (const file of [...sourceFiles(join(pkgDir, "src")), ...sourceFiles(join(pkgDir, "test"))]) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const edges = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = resolveRelative(file, ref.fileName);
      if (target) edges.add(relative(root, target));
    }
    graph.set(relative(root, file), edges);
  }
  return graph;
}

/** Packages and their runtime dependencies on each other (devDependencies are test wiring, not design). */
export function packageGraph(packagesDir: string): Graph {
  const graph: Graph = new Map();
  for (const name of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, name, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; dependencies?: Record<string, string> };
    graph.set(pkg.name, new Set(Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith("@kanade/"))));
  }
  return graph;
}
