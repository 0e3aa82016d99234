/** `--since` / `--until` values: RFC 3339 as is; a duration like `2h` means that long ago. */
import { parseDurationMs } from "@kanade/protocol";
import { badInput } from "./errors.js";

export function timeArg(text: string, flag: string, now: number): string {
  const ms = parseDurationMs(text);
  if (ms !== undefined) return new Date(now - ms).toISOString();
  if (!Number.isNaN(Date.parse(text)) && /^\d{4}-\d{2}-\d{2}T/.test(text)) return text;
  throw badInput(`invalid ${flag}`, [{ path: flag, message: "expected an RFC 3339 time or a duration like 2h, 7d" }]);
}
