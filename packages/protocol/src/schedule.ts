/** Schedule YAML (`kanade schedule create|validate`, `POST /api/schedules`): parsed, then validated by schedule-schema.ts. */
import { byteLength, manifestBodySizeIssue } from "./manifest-size.js";
import { readYaml } from "./manifest-yaml.js";
import { validateSchedule, type ScheduleParse } from "./schedule-schema.js";

export * from "./schedule-schema.js";

/** Parses schedule YAML and validates it; never throws. Syntax errors name their line. */
export function parseScheduleYaml(text: string): ScheduleParse {
  const tooBig = manifestBodySizeIssue(byteLength(text), text);
  if (tooBig) return { ok: false, issues: [tooBig] };
  const read = readYaml(text);
  if (!read.ok) return { ok: false, issues: [read.issue] };
  const doc = read.value;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: "", message: "expected a YAML mapping with id, job, when and target" }] };
  }
  return validateSchedule(doc);
}
