/** Facts as people read them: sizes in units, times in local time, nested values as text. */
import { formatBytes } from "./format.js";

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

/** A fact value for display: `*_bytes` numbers in binary units, RFC 3339 times in local time, objects as JSON. */
export function formatFact(key: string, value: unknown, locale?: string): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number" && /(^|_)bytes$/.test(key)) return formatBytes(value);
  if (typeof value === "string" && ISO_TIME.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t).toLocaleString(locale);
  }
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
