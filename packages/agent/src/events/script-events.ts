/**
 * Events a script emits: one JSON object per line, appended to the file named by `KANADE_EVENTS_FILE`
 * (in the run's own folder). Read once the script ended, validated line by line and capped; a line that
 * does not validate is reported (line number and field) in one `kanade.events_rejected` event, never lost silently.
 */
import { open } from "node:fs/promises";
import { SCRIPT_EVENT_LIMITS, scriptEventLineSchema, type AgentEvent, type ScriptEventLine } from "@kanade/protocol/wire";
import { stableEventId } from "./event-id.js";

export const EVENTS_FILE_NAME = "kanade-events.jsonl";
const REJECTED_NAME = "kanade.events_rejected";
/** Problems quoted in the rejection event; the rest are counted. */
const MAX_QUOTED_PROBLEMS = 10;

export interface ScriptEvents {
  lines: ScriptEventLine[];
  /** One entry per refused line or cap reached, e.g. `line 3: name: expected …`. */
  problems: string[];
}

/** Reads and validates the events file; a missing file means the script emitted nothing. */
export async function readScriptEvents(path: string): Promise<ScriptEvents> {
  let text: string;
  let truncated = false;
  try {
    const fh = await open(path, "r");
    try {
      const size = (await fh.stat()).size;
      truncated = size > SCRIPT_EVENT_LIMITS.fileBytes;
      const buf = Buffer.alloc(Math.min(size, SCRIPT_EVENT_LIMITS.fileBytes));
      await fh.read(buf, 0, buf.length, 0);
      text = buf.toString("utf8");
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { lines: [], problems: [] };
    return { lines: [], problems: [`${EVENTS_FILE_NAME}: cannot read: ${(err as Error).message}`] };
  }
  return parseScriptEvents(text, truncated);
}

/** Validates the file's text (pure); `truncated` says the file was longer than the bytes read. */
export function parseScriptEvents(text: string, truncated = false): ScriptEvents {
  const lines: ScriptEventLine[] = [];
  const problems: string[] = [];
  const all = text.split(/\r?\n/);
  // A cut file ends in a partial line: leave it out rather than report it as malformed.
  if (truncated) all.pop();
  let dropped = 0;
  all.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `line ${i + 1}`;
    if (Buffer.byteLength(line, "utf8") > SCRIPT_EVENT_LIMITS.lineBytes) {
      problems.push(`${where}: longer than ${SCRIPT_EVENT_LIMITS.lineBytes} bytes`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`${where}: not JSON`);
      return;
    }
    const r = scriptEventLineSchema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".") || "(line)";
      problems.push(`${where}: ${field}: ${issue.message}`);
      return;
    }
    if (lines.length >= SCRIPT_EVENT_LIMITS.perRun) dropped++;
    else lines.push(r.data);
  });
  if (dropped > 0) problems.push(`${dropped} event(s) past the cap of ${SCRIPT_EVENT_LIMITS.perRun} per run dropped`);
  if (truncated) problems.push(`file larger than ${SCRIPT_EVENT_LIMITS.fileBytes} bytes; the rest was not read`);
  return { lines, problems };
}

/** The run's events as timeline events, ids derived from the result id so a re-read yields the same ones. */
export function scriptTimelineEvents(
  run: { pcId: string; execId: string; jobId: string; resultId: string; at: string },
  events: ScriptEvents,
): AgentEvent[] {
  const base = { pc_id: run.pcId, kind: "script" as const, at: run.at, source: "script", exec_id: run.execId, job_id: run.jobId };
  const out: AgentEvent[] = events.lines.map((e, i) => ({ ...base, event_id: stableEventId(run.resultId, "script", String(i)), ...e }));
  if (events.problems.length > 0) {
    const quoted = events.problems.slice(0, MAX_QUOTED_PROBLEMS).join("; ");
    const more = events.problems.length > MAX_QUOTED_PROBLEMS ? ` (+${events.problems.length - MAX_QUOTED_PROBLEMS} more)` : "";
    out.push({ ...base, event_id: stableEventId(run.resultId, "script", "rejected"), name: REJECTED_NAME, message: `${quoted}${more}`.slice(0, SCRIPT_EVENT_LIMITS.messageChars) });
  }
  return out;
}
