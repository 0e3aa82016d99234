/** Number formats shared by the human views. */

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** `512 B`, `61.3 MiB` (binary units); `-` when unknown. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "-";
  let v = n;
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${BYTE_UNITS[i]}`;
}

/** `12s ago`, `5m ago`, `3h ago`, `2d ago` (rounded down); `never` when unknown. */
export function formatAgo(iso: string | null | undefined, nowMs: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return "never";
  const s = Math.max(0, Math.floor((nowMs - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** `42%`, `7.5%` below 10; `-` when unknown. */
export function formatPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}%`;
}
