/** Small readers the backend's config modules share: the INVALID_CONFIG error naming a setting, and value checks. */
import { KanadeError } from "@kanade/protocol";

/** A configuration problem in the setting at `path` (an env var or TOML key). */
export const invalid = (path: string, message: string, cause?: unknown): KanadeError =>
  new KanadeError("INVALID_CONFIG", message, { details: [{ path, message }], cause });

/** An env var or key that is set but empty counts as unset. */
export const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === "" ? undefined : v);

/** A whole number from `min` to `max`, or INVALID_CONFIG naming `key`. */
export function intSetting(text: string | undefined, key: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(key, `${key}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}
