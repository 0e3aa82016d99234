/** Reads schedule YAML files from disk and validates them locally (`schedule create` / `validate`). */
import { readFileSync } from "node:fs";
import { parseScheduleYaml, type ErrorDetail, type Schedule } from "@kanade/protocol";
import { badInput } from "./errors.js";
import { expandPaths } from "./manifest-files.js";

export interface LoadedSchedule {
  file: string;
  yaml: string;
  schedule: Schedule;
}
export type ScheduleOutcome = { ok: true; loaded: LoadedSchedule } | { ok: false; file: string; issues: { path: string; message: string }[] };

export function loadSchedule(file: string): ScheduleOutcome {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, file, issues: [{ path: "", message: `cannot read file: ${(err as Error).message}` }] };
  }
  const r = parseScheduleYaml(text);
  return r.ok ? { ok: true, loaded: { file, yaml: text, schedule: r.schedule } } : { ok: false, file, issues: r.issues };
}

/** Every file's problems as `<file>: <path>` details (the same shape job manifests use). */
export const scheduleIssueDetails = (outcomes: readonly ScheduleOutcome[]): ErrorDetail[] =>
  outcomes.flatMap((o) => (o.ok ? [] : o.issues.map((i) => ({ path: i.path ? `${o.file}: ${i.path}` : o.file, message: i.message }))));

/** Loads every file; if any is invalid, throws one bad-input error listing all problems (nothing is sent). */
export function loadSchedulesOrThrow(paths: readonly string[]): LoadedSchedule[] {
  const outcomes = expandPaths(paths).map(loadSchedule);
  const details = scheduleIssueDetails(outcomes);
  if (details.length > 0) throw badInput(`invalid schedule: ${details.length} problem(s); nothing was sent`, details);
  return outcomes.flatMap((o) => (o.ok ? [o.loaded] : []));
}
