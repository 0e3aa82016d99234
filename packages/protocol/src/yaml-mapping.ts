/** The first steps of reading any operator YAML document: the size cap, the YAML itself, a mapping at the top. */
import type { ManifestIssue } from "./manifest-issue.js";
import { byteLength, manifestBodySizeIssue } from "./manifest-size.js";
import { readYaml } from "./manifest-yaml.js";

export type YamlMappingRead = { ok: true; value: object } | { ok: false; issues: ManifestIssue[] };

/** `expected` completes "expected a YAML mapping with …" when the top level is not one. Never throws. */
export function readYamlMapping(text: string, expected: string): YamlMappingRead {
  const tooBig = manifestBodySizeIssue(byteLength(text), text);
  if (tooBig) return { ok: false, issues: [tooBig] };
  const read = readYaml(text);
  if (!read.ok) return { ok: false, issues: [read.issue] };
  const doc = read.value;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { ok: false, issues: [{ path: "", message: `expected a YAML mapping with ${expected}` }] };
  return { ok: true, value: doc };
}
