/** Durations as operators write them: `30s`, `5m`, `1h`, `2d`, `1h30m`, `0s`. */
import * as z from "zod";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;
const DURATION_RE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART_RE = /(\d+)(ms|s|m|h|d)/g;

/** Parses a duration into milliseconds; returns undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION_RE.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(PART_RE)) {
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

export function isDuration(text: string): boolean {
  return parseDurationMs(text) !== undefined;
}

/** Whole seconds, rounded up so that `1500ms` never becomes 1 s of timeout. */
export function parseDurationSecs(text: string): number | undefined {
  const ms = parseDurationMs(text);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

/** Compact human form: 90_000 → "1m30s", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("") || "0s";
}

/**
 * The longest duration that may become a timer. Node clamps a setTimeout delay above 2^31−1 ms
 * (~24.8 days) to 1 ms, so `30d` would fire at once (a tight publish loop, an instant timeout).
 */
export const MAX_TIMER_MS = 24 * 86_400_000;
export const MAX_TIMER_SECS = MAX_TIMER_MS / 1000;
export const MAX_TIMER_TEXT = "24d";

/**
 * A duration string that will drive a timer: a valid duration of at most 24d. The issue lands on the
 * field's own path, so callers that print `path: message` name the field.
 */
export function boundedDuration(example = "30s, 5m, 1h or 2d"): z.ZodString {
  return z.string().superRefine((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) ctx.addIssue({ code: "custom", message: `expected a duration like ${example}` });
    else if (ms > MAX_TIMER_MS) ctx.addIssue({ code: "custom", message: `must be at most ${MAX_TIMER_TEXT}` });
  });
}
