/** How installed-application rows read as inventory, the same in the CLI and the web UI. */
import type { InstalledAppRow } from "./api.js";

export interface PackageVersion {
  name: string;
  version: string | null;
  publisher: string | null;
  /** PCs that have this package at this version. */
  pcs: string[];
}

/**
 * One row per package and version ("openssl 3.0.13: 3 PCs", "libssl3 3.0.13: 3 PCs"), never packages whose
 * names merely share a word lumped together. Sorted by name, then version (numerically), then publisher.
 */
export function packageVersions(rows: readonly InstalledAppRow[]): PackageVersion[] {
  const byKey = new Map<string, PackageVersion>();
  for (const r of rows) {
    const key = JSON.stringify([r.name, r.version, r.publisher]);
    const pv = byKey.get(key) ?? { name: r.name, version: r.version, publisher: r.publisher, pcs: [] };
    if (!pv.pcs.includes(r.pc_id)) pv.pcs.push(r.pc_id);
    byKey.set(key, pv);
  }
  const cmp = (a: string | null, b: string | null): number => (a ?? "").localeCompare(b ?? "", undefined, { numeric: true, sensitivity: "base" });
  return [...byKey.values()]
    .map((pv) => ({ ...pv, pcs: pv.pcs.sort() }))
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.publisher, b.publisher));
}
