import { pino, type Logger } from "pino";

/** JSON logs on stderr so stdout stays free for command output (e.g. `--version`). */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...base } }, pino.destination(2));
}
