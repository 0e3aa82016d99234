/** Human rendering of agent log records. */
import { escapeTerminal } from "../../output.js";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const SKIP = new Set(["level", "time", "msg", "pid", "hostname"]);

/**
 * `2026-01-01T00:00:00.000Z INFO  agent ready pc_id=dev-pc`; lines that are not JSON are printed as they
 * are. Either way escaped for the terminal: a record can quote what a script wrote.
 */
export function formatLogLine(line: string): string {
  return escapeTerminal(renderLogLine(line), { singleLine: true });
}

function renderLogLine(line: string): string {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return line; // the ring holds what the agent wrote; a non-JSON line is shown verbatim
  }
  if (rec === null || typeof rec !== "object" || Array.isArray(rec)) return line;
  const r = rec as Record<string, unknown>;
  const time = typeof r.time === "number" ? new Date(r.time).toISOString() : String(r.time ?? "");
  const level = (typeof r.level === "number" ? LEVELS[r.level] : undefined) ?? String(r.level ?? "");
  const fields = Object.entries(r)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [time, level.padEnd(5), String(r.msg ?? ""), ...fields].join(" ").trimEnd();
}
