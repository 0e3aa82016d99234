import { describe, expect, it } from "vitest";
import { packageVersions } from "./inventory-view.js";

describe("packageVersions", () => {
  it("gives one row per package and version, counting PCs once", () => {
    const row = (pc_id: string, name: string, version: string | null) => ({ pc_id, name, version, publisher: null });
    const rows = [
      row("pc-1", "openssl", "3.0.13"),
      row("pc-2", "openssl", "3.0.13"),
      row("pc-2", "openssl", "3.0.13"),
      row("pc-1", "libssl3", "3.0.13"),
      row("pc-3", "openssl", "3.0.2"),
      row("pc-3", "python3-openssl", "23.0.0"),
    ];
    expect(packageVersions(rows).map((p) => [p.name, p.version, p.pcs])).toEqual([
      ["libssl3", "3.0.13", ["pc-1"]],
      ["openssl", "3.0.2", ["pc-3"]],
      ["openssl", "3.0.13", ["pc-1", "pc-2"]],
      ["python3-openssl", "23.0.0", ["pc-3"]],
    ]);
  });
});
