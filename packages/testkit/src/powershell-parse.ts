/**
 * A Linux-side smoke check that PowerShell text parses, using the tree-sitter-powershell grammar
 * (its shipped .wasm) through web-tree-sitter: no pwsh, no native build.
 *
 * A pass means "structurally sane" (braces, strings, here-strings, parens, try/catch shape), not
 * "PowerShell accepts it": the grammar misses semantic checks and has a few false positives
 * (unquoted `$var\path` arguments, one-line `function f { param($a) ... }`, one-line `switch`,
 * `break label`, `$x / 1KB`, `[A+B]::C`, attributed variable assignments). Write shipped scripts in a
 * grammar-friendly style rather than weakening this check.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";

export interface PowerShellProblem {
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 code units, like a JS string index). */
  column: number;
  message: string;
}

export interface PowerShellCheck {
  ok: boolean;
  problems: PowerShellProblem[];
}

const require = createRequire(import.meta.url);
let parserPromise: Promise<Parser> | undefined;

/** Loads web-tree-sitter and the grammar once, on first use (shared with powershell-rules.ts). */
export function getParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const wasm = await readFile(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })().catch((err: unknown) => {
    parserPromise = undefined; // let a later call retry
    throw err;
  });
  return parserPromise;
}

export const at = (node: Node, message: string): PowerShellProblem => ({
  line: node.startPosition.row + 1,
  column: node.startPosition.column + 1,
  message,
});

const snippet = (text: string): string => {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
};

/**
 * Every visible node of the tree, not descending into ERROR nodes (one report per error region).
 * Hidden MISSING tokens are not children; `hasError` catches those instead.
 */
export function* allNodes(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    yield node;
    if (node.isError) continue;
    const children = node.children.filter((c): c is Node => c !== null);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  }
}

/** The deepest node on the first `hasError` path, for errors no ERROR/MISSING node points at. */
function deepestWithError(root: Node): Node {
  let node = root;
  for (;;) {
    const next = node.children.find((c): c is Node => c !== null && c.hasError);
    if (next === undefined) return node;
    node = next;
  }
}

/** Parses `text` as PowerShell and reports syntax problems (see the module comment for limits). */
export async function checkPowerShell(text: string): Promise<PowerShellCheck> {
  const parser = await getParser();
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const tree = parser.parse(source);
  if (tree === null) return { ok: false, problems: [{ line: 1, column: 1, message: "parser returned no tree" }] };
  try {
    const root = tree.rootNode;
    const problems: PowerShellProblem[] = [];
    for (const node of allNodes(root)) {
      if (node.isMissing) {
        problems.push(at(node, `missing "${node.type}"`));
      } else if (node.isError) {
        problems.push(at(node, `syntax error near "${snippet(node.text)}"`));
      } else if (node.type === "try_statement") {
        const shaped = node.children.some((c) => c?.type === "catch_clauses" || c?.type === "finally_clause");
        if (!shaped) problems.push(at(node, "try block without catch or finally"));
      }
    }
    if (root.hasError && !problems.some((p) => !p.message.startsWith("try block"))) {
      const node = deepestWithError(root);
      problems.push(at(node, `syntax error in ${node.type} near "${snippet(node.text)}"`));
    }
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: problems.length === 0, problems };
  } finally {
    tree.delete();
  }
}

/** `file:line:column message` lines, for assertion messages and CI logs. */
export const formatPowerShellProblems = (file: string, problems: readonly PowerShellProblem[]): string =>
  problems.map((p) => `${file}:${p.line}:${p.column} ${p.message}`).join("\n");
