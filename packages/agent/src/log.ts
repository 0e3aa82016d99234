import { pino, type Logger } from "pino";
import type { LogRing } from "./log-ring.js";
import type { RollingLogFile } from "./log-file.js";

/**
 * JSON logs (pino) on stderr, so stdout stays free for command output (`--version`, the JSON of
 * `kanade-agent inventory`). With a ring, every record is also kept in memory for `kanade logs`; with a
 * file, written to the rolling log files under the data dir. `stderr: false` keeps only the ring (tests).
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  opts: { ring?: LogRing; file?: RollingLogFile; stderr?: boolean } = {},
): Logger {
  if ((!opts.ring && !opts.file) || level === "silent") return pino({ level, base: { ...base } }, pino.destination(2));
  const lvl = level as pino.Level;
  const streams: pino.StreamEntry[] = [];
  if (opts.ring) streams.push({ stream: opts.ring, level: lvl });
  if (opts.file) streams.push({ stream: opts.file, level: lvl });
  if (opts.stderr !== false) streams.push({ stream: pino.destination(2), level: lvl });
  return pino({ level, base: { ...base } }, pino.multistream(streams));
}
