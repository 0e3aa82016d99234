/** Places manifest validation issues beside the YAML line they are about, for the Jobs page editor. */
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";

export interface Issue {
  path: string;
  message: string;
}

/** 1-based line number of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function nodeAt(root: unknown, path: readonly string[]): { node: Node; keyNode?: Node } | undefined {
  let node: unknown = root;
  let keyNode: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (!pair) return undefined;
      keyNode = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
      keyNode = undefined;
    } else {
      return undefined;
    }
  }
  if (node === null || node === undefined || typeof node !== "object" || !("range" in node)) {
    return keyNode ? { node: keyNode, keyNode } : undefined;
  }
  return { node: node as Node, ...(keyNode ? { keyNode } : {}) };
}

/**
 * Maps each issue to a line: the key's line for a field error, the line a YAML syntax error names, else the
 * parent's line; line 1 when nothing better is known. Returns line → messages.
 */
export function issueLines(text: string, issues: readonly Issue[]): Map<number, string[]> {
  const doc = parseDocument(text);
  const out = new Map<number, string[]>();
  const add = (line: number, msg: string): void => {
    out.set(line, [...(out.get(line) ?? []), msg]);
  };
  for (const issue of issues) {
    const syntax = /at line (\d+)/.exec(issue.message);
    if (syntax?.[1]) {
      add(Number(syntax[1]), issue.message);
      continue;
    }
    const path = issue.path ? issue.path.split(".") : [];
    let line = 1;
    for (let n = path.length; n > 0; n--) {
      const found = nodeAt(doc.contents, path.slice(0, n));
      const range = (found?.keyNode ?? found?.node)?.range;
      if (range) {
        line = lineOf(text, range[0]);
        break;
      }
    }
    add(line, issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return out;
}
