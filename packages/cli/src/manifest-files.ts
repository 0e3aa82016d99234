/** Reads job manifests from disk, validates them locally and inlines `execute.script_file`. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseManifestYaml, type ErrorDetail, type Manifest, type ManifestIssue } from "@kanade/protocol";
import { isMap, isScalar, parseDocument, Scalar } from "yaml";
import { badInput } from "./errors.js";

export interface LoadedManifest {
  /** The path as the operator typed it (or dir/name for a directory's files). */
  file: string;
  /** YAML to send: the original text, with `script_file` replaced by an inline `script`. */
  yaml: string;
  manifest: Manifest;
}

export type LoadOutcome = { ok: true; loaded: LoadedManifest } | { ok: false; file: string; issues: ManifestIssue[] };

const isYamlName = (name: string): boolean => /\.ya?ml$/i.test(name);

/** A directory stands for its *.yaml / *.yml files (not recursive), sorted by name. */
export function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  const missing: ErrorDetail[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      missing.push({ path: p, message: (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : String(err) });
      continue;
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const names = readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isFile() && isYamlName(e.name))
      .map((e) => e.name)
      .sort();
    if (names.length === 0) missing.push({ path: p, message: "directory has no .yaml or .yml files" });
    files.push(...names.map((n) => join(p, n)));
  }
  if (missing.length > 0) throw badInput("cannot read the given paths", missing);
  return files;
}

/**
 * Replaces `execute.script_file` with `execute.script` holding the file's text (read relative to
 * `baseDir`), keeping the rest of the document — comments included — as written.
 */
export function inlineScriptFile(
  yamlText: string,
  baseDir: string,
  read: (path: string) => string = (p) => readFileSync(p, "utf8"),
): { yaml: string } | { issue: ManifestIssue } {
  const doc = parseDocument(yamlText);
  const ref = doc.getIn(["execute", "script_file"]);
  if (typeof ref !== "string" || ref.trim() === "") return { yaml: yamlText };
  let body: string;
  try {
    body = read(resolve(baseDir, ref));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { issue: { path: "execute.script_file", message: `cannot read ${ref}${code ? ` (${code})` : ""}` } };
  }
  const execute = doc.getIn(["execute"], true);
  const pair = isMap(execute) ? execute.items.find((p) => isScalar(p.key) && p.key.value === "script_file") : undefined;
  if (!pair) return { yaml: yamlText };
  const node = new Scalar(body.replace(/^\uFEFF/, ""));
  node.type = Scalar.BLOCK_LITERAL; // keeps a script readable in `job export`; yaml falls back to quotes if it must
  // Swap the pair in place so `script` sits where `script_file` was.
  pair.key = new Scalar("script");
  pair.value = node;
  return { yaml: doc.toString({ lineWidth: 0 }) };
}

/** Loads one manifest file: parse + validate, inline its script file, then validate what will be sent. */
export function loadManifest(file: string): LoadOutcome {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, file, issues: [{ path: "", message: `cannot read file: ${(err as Error).message}` }] };
  }
  const first = parseManifestYaml(text);
  if (!first.ok) return { ok: false, file, issues: first.issues };
  const inlined = inlineScriptFile(text, dirname(file));
  if ("issue" in inlined) return { ok: false, file, issues: [inlined.issue] };
  const second = parseManifestYaml(inlined.yaml);
  if (!second.ok) return { ok: false, file, issues: second.issues };
  return { ok: true, loaded: { file, yaml: inlined.yaml, manifest: second.manifest } };
}

/** `<file>: <path>` detail lines for every problem in every file. */
export function issueDetails(outcomes: readonly LoadOutcome[]): ErrorDetail[] {
  return outcomes.flatMap((o) =>
    o.ok ? [] : o.issues.map((i) => ({ path: i.path ? `${o.file}: ${i.path}` : o.file, message: i.message })),
  );
}

/** Loads every file; if any is invalid, throws one bad-input error listing all problems. */
export function loadManifestsOrThrow(paths: readonly string[]): LoadedManifest[] {
  const outcomes = expandPaths(paths).map(loadManifest);
  const details = issueDetails(outcomes);
  if (details.length > 0) {
    const bad = outcomes.filter((o) => !o.ok).length;
    throw badInput(`invalid job manifest: ${details.length} problem(s) in ${bad} file(s); nothing was sent`, details);
  }
  return outcomes.flatMap((o) => (o.ok ? [o.loaded] : []));
}
