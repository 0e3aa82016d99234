/** What a downloaded support bundle is called and holds: the API's detail as pretty JSON, named by PC, time and id. */
import type { SupportBundleDetail } from "@kanade/protocol";

/** `support-<pc>-<YYYYMMDD-HHMMSS>-<id prefix>.json`; characters a file name cannot hold become `_`. */
export function bundleFileName(b: Pick<SupportBundleDetail, "id" | "pc_id" | "created_at">): string {
  const stamp = b.created_at.replace(/\.\d+Z$|Z$/, "").replace(/[-:]/g, "").replace("T", "-");
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, "_");
  return `support-${safe(b.pc_id)}-${safe(stamp)}-${safe(b.id.slice(0, 8))}.json`;
}

export const bundleFileText = (b: SupportBundleDetail): string => `${JSON.stringify(b, null, 2)}\n`;
