/** Formatting helpers shared by the pages: sizes, rates, percentages, durations, relative times. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const text = u === 0 ? String(Math.round(v)) : v.toFixed(v >= 100 ? 0 : 1);
  return `${n < 0 ? "-" : ""}${text} ${UNITS[u]}`;
}

export const formatRate = (bytesPerSec: number | null | undefined): string =>
  bytesPerSec === null || bytesPerSec === undefined ? "—" : `${formatBytes(bytesPerSec)}/s`;

export function formatPct(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return `${v.toFixed(digits)}%`;
}

/** 850 → "850 ms", 61_000 → "1m 1s", 3_725_000 → "1h 2m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

export type RelativeUnit = "s" | "m" | "h" | "d";

/** How long ago `iso` was, as a count and unit the i18n catalog turns into words; null for unknown times. */
export function ago(iso: string | null | undefined, now: Date): { n: number; unit: RelativeUnit } | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 60) return { n: s, unit: "s" };
  if (s < 3600) return { n: Math.floor(s / 60), unit: "m" };
  if (s < 86_400) return { n: Math.floor(s / 3600), unit: "h" };
  return { n: Math.floor(s / 86_400), unit: "d" };
}

/** The short form of an id, as the CLI shows and accepts it (see `shortId` in the protocol). */
export { shortId } from "@kanade/protocol";
