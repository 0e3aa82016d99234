/**
 * YAML text to a plain value, for manifests: `<<` merge keys, capped aliases and nesting, and every
 * failure returned as a ManifestIssue — no input throws, overflows the stack or aborts the process.
 */
import { CST, Lexer, parseDocument } from "yaml";
import type { ManifestIssue } from "./manifest-issue.js";

/**
 * Most aliases a YAML manifest may resolve (the yaml library's count, which multiplies nested ones):
 * plenty for shared anchors and `<<` merges, far too few for an alias bomb.
 */
export const MAX_YAML_ALIASES = 100;

/**
 * Nesting allowed before the text reaches the yaml library, which recurses once per level: about
 * 900 levels overflow the stack, and when V8 compiles a regexp near the end of the stack the whole
 * process aborts (seen with 100,000 `[`). Each block level needs a column of indentation or an
 * indicator (`- `, `? `, `: `) on its line, so these bounds keep the real depth under ~330.
 */
export const MAX_YAML_FLOW_DEPTH = 64;
export const MAX_YAML_BLOCK_COLUMNS = 128;

export type YamlRead = { ok: true; value: unknown } | { ok: false; issue: ManifestIssue };

/** Parses one YAML document into plain data; never throws. */
export function readYaml(text: string): YamlRead {
  const deep = nestingIssue(text);
  if (deep) return { ok: false, issue: deep };
  try {
    // logLevel "error": the yaml library's warnings would go to this process's stderr, not to the operator.
    const doc = parseDocument(text, { merge: true, prettyErrors: true, logLevel: "error" });
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      return { ok: false, issue: { path: "", message: `YAML syntax error${line ? ` at line ${line}` : ""}: ${err.message.split("\n")[0]}` } };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (err) {
    // toJS throws for aliases it cannot or will not resolve; any input is a 4xx, never a crash.
    return { ok: false, issue: { path: "", message: yamlProblem(err) } };
  }
}

function yamlProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/excessive alias count/i.test(message)) {
    return `YAML aliases expand too far (at most ${MAX_YAML_ALIASES} alias uses, counting nested ones): anchors and << merges are fine, alias bombs are not`;
  }
  if (err instanceof RangeError) return "YAML is nested too deeply";
  return `YAML: ${message.split("\n")[0]}`;
}

const BLOCK_INDICATORS = new Set(["seq-item-ind", "explicit-key-ind", "map-value-ind"]);

/** Refuses text that nests past the bounds above, found with the yaml lexer (which does not recurse). */
function nestingIssue(text: string): ManifestIssue | undefined {
  let line = 1;
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  let indicators = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    line += token.split("\n").length - 1;
    if (scalarNext) {
      // A scalar's text (block scalars included): whatever it holds is not structure.
      scalarNext = false;
      if (token.endsWith("\n")) [lineStart, indent, indicators] = [true, 0, 0];
      continue;
    }
    const type = CST.tokenType(token);
    if (type === "newline") {
      [lineStart, indent, indicators] = [true, 0, 0];
      continue;
    }
    scalarNext = type === "scalar"; // the lexer's mark before a scalar's text
    if (type === "space" && lineStart) indent = token.length;
    lineStart = false;
    if (type === "flow-seq-start" || type === "flow-map-start") flow++;
    else if (type === "flow-seq-end" || type === "flow-map-end") flow = Math.max(0, flow - 1);
    else if (type === "flow-error-end" || type === "doc-start" || type === "doc-end") flow = 0;
    else if (flow === 0 && type !== null && BLOCK_INDICATORS.has(type)) indicators++;
    else continue; // spaces, comments, anchors, tags, aliases, quoted scalars: no new level
    if (flow > MAX_YAML_FLOW_DEPTH || indent + indicators > MAX_YAML_BLOCK_COLUMNS) {
      return {
        path: "",
        message: `YAML is nested too deeply at line ${line} (a manifest may nest ${MAX_YAML_FLOW_DEPTH} levels of [ ] and { }, and its structure reach column ${MAX_YAML_BLOCK_COLUMNS})`,
      };
    }
  }
  return undefined;
}
