/** How alarming a figure is, and whether a sample is still news: colours and greying follow these, not raw values. */

export type Severity = "ok" | "warn" | "bad" | "neutral";

/** Offline agents: none is fine; up to 5 % of the fleet is worth a look; more is trouble. */
export function offlineSeverity(offline: number, total: number): Severity {
  if (total === 0) return "neutral";
  if (offline === 0) return "ok";
  return offline / total <= 0.05 ? "warn" : "bad";
}

/** Success rate of recent runs: 99 % and up is fine, 90 % and up worth a look, below that trouble; no runs says nothing. */
export function successSeverity(rate: number | null): Severity {
  if (rate === null) return "neutral";
  if (rate >= 99) return "ok";
  return rate >= 90 ? "warn" : "bad";
}

/** Older than this, a host perf sample no longer describes the PC now (ten default sample intervals). */
export const STALE_SAMPLE_MS = 10 * 60_000;

/** A sample is stale when its PC is offline, or when it is older than `maxAgeMs`. */
export function isStale(at: string | null | undefined, online: boolean | undefined, nowMs: number, maxAgeMs = STALE_SAMPLE_MS): boolean {
  if (online === false) return true;
  const t = at ? Date.parse(at) : NaN;
  return Number.isNaN(t) || nowMs - t > maxAgeMs;
}
