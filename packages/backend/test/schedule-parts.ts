/** What the schedule engine's tests share: a parsed schedule from a few YAML lines, and a fire as recorded. */
import { parseScheduleYaml, type ExecRequest, type Schedule } from "@kanade/protocol";

export interface Fired {
  at: string;
  execId: string;
  request: ExecRequest;
}

/** `id: s1`, `job: j` and the given lines; throws with the issues when they do not parse. */
export function schedule(yaml: string): Schedule {
  const r = parseScheduleYaml(`id: s1\njob: j\n${yaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.schedule;
}
