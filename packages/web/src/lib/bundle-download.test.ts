import { describe, expect, it } from "vitest";
import { bundleFileName, bundleFileText } from "./bundle-download.js";

describe("support bundle download", () => {
  it("names the file by PC, time and id, safe for any file system", () => {
    expect(bundleFileName({ id: "0190c7a2-1111-7000-8000-000000000000", pc_id: "pc-01", created_at: "2026-12-02T22:31:05.123Z" })).toBe("support-pc-01-20261202-223105-0190c7a2.json");
    expect(bundleFileName({ id: "abc", pc_id: "a/b:c", created_at: "2026-01-02T03:04:05Z" })).toBe("support-a_b_c-20260102-030405-abc.json");
  });

  it("holds the whole detail as pretty JSON", () => {
    const b = { id: "i", pc_id: "p", user: "uid:1", created_at: "t", note: null, bytes: 2, bundle: { user: "uid:1", created_at: "t", agent_version: "0.1.0", state: {}, log_tail: ["x"], runs: [] } };
    expect(JSON.parse(bundleFileText(b))).toEqual(b);
    expect(bundleFileText(b).endsWith("}\n")).toBe(true);
  });
});
