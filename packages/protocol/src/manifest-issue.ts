/** One problem found in a job manifest (or a schedule), and how it is printed. */
import type { z } from "zod";

export interface ManifestIssue {
  /** Dotted path of the bad field, e.g. `execute.timeout`; empty for the document itself. */
  path: string;
  message: string;
}

/** `execute.timeout: expected a duration like 30s` — one line per issue. */
export function formatIssues(issues: readonly ManifestIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n");
}

/** A zod issue as an operator reads it: the dotted path, and a message without zod's jargon. */
export function issueFromZod(issue: z.core.$ZodIssue): ManifestIssue {
  const path = issue.path.map(String).join(".");
  let message = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) {
    message = `expected one of ${issue.values.map(String).join(", ")}`;
  } else if (issue.code === "unrecognized_keys") {
    message = `unknown field(s): ${issue.keys.join(", ")}`;
  } else if (issue.code === "invalid_type" && /received undefined/.test(message)) {
    message = "required";
  }
  return { path, message };
}
