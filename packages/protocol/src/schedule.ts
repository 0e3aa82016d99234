/** Schedule YAML (`kanade schedule create|validate`, `POST /api/schedules`): parsed, then validated by schedule-schema.ts. */
import { readYamlMapping } from "./yaml-mapping.js";
import { validateSchedule, type ScheduleParse } from "./schedule-schema.js";

export * from "./schedule-schema.js";

/** Parses schedule YAML and validates it; never throws. Syntax errors name their line. */
export function parseScheduleYaml(text: string): ScheduleParse {
  const doc = readYamlMapping(text, "id, job, when and target");
  return doc.ok ? validateSchedule(doc.value) : doc;
}
