import { pino, type Logger } from "pino";
import type { LogRing } from "./log-ring.js";

/**
 * JSON logs on stderr so stdout stays free for command output (e.g. `--version`). With a ring, every
 * record is also kept in memory for `kanade logs`; `stderr: false` keeps only the ring (tests).
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  opts: { ring?: LogRing; stderr?: boolean } = {},
): Logger {
  if (!opts.ring || level === "silent") return pino({ level, base: { ...base } }, pino.destination(2));
  const lvl = level as pino.Level;
  const streams: pino.StreamEntry[] = [{ stream: opts.ring, level: lvl }];
  if (opts.stderr !== false) streams.push({ stream: pino.destination(2), level: lvl });
  return pino({ level, base: { ...base } }, pino.multistream(streams));
}
