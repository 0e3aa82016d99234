/** One problem found in a job manifest, and how it is printed. */
export interface ManifestIssue {
  /** Dotted path of the bad field, e.g. `execute.timeout`; empty for the document itself. */
  path: string;
  message: string;
}

/** `execute.timeout: expected a duration like 30s` — one line per issue. */
export function formatIssues(issues: readonly ManifestIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n");
}
