import { describe, expect, it } from "vitest";
import { parseReleaseKey, platformOf, releaseKey, rolloutRequestSchema } from "./releases.js";

describe("agent release keys", () => {
  it("keys Windows x64 by the bare version and other platforms with a suffix", () => {
    expect(releaseKey("1.2.3", "windows-x64")).toBe("1.2.3");
    expect(releaseKey("1.2.3", "linux-x64")).toBe("1.2.3-linux-x64");
    expect(parseReleaseKey("1.2.3-linux-x64")).toEqual({ version: "1.2.3", platform: "linux-x64" });
    expect(parseReleaseKey("1.2.3-rc.1")).toEqual({ version: "1.2.3-rc.1", platform: "windows-x64" });
  });

  it("maps node's platform and arch", () => {
    expect(platformOf("win32", "x64")).toBe("windows-x64");
    expect(platformOf("linux", "x64")).toBe("linux-x64");
    expect(platformOf("aix", "ppc64")).toBeUndefined();
  });

  it("needs exactly one rollout scope", () => {
    expect(rolloutRequestSchema.safeParse({ version: "1.0.0", global: true }).success).toBe(true);
    expect(rolloutRequestSchema.safeParse({ version: "1.0.0" }).success).toBe(false);
    expect(rolloutRequestSchema.safeParse({ version: "1.0.0", global: true, pcs: ["a"] }).success).toBe(false);
    // The jitter becomes target_version_jitter, an agent sleep: capped at 24d.
    expect(rolloutRequestSchema.safeParse({ version: "1.0.0", global: true, jitter: "30d" }).error?.issues[0]?.path).toEqual(["jitter"]);
  });
});
