import { describe, expect, it } from "vitest";
import { runBin } from "@kanade/testkit";

describe("kanade-backend binary", () => {
  it("prints its version and the Node version it runs on", async () => {
    const r = await runBin("backend", "kanade-backend", ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`0.1.0 (node ${process.version})\n`);
    expect(process.version).toMatch(/^v24\./);
  });

  it("refuses to start without a token and says which env var to set", async () => {
    const r = await runBin("backend", "kanade-backend", [], {
      env: { KANADE_AUTH_STATIC_TOKEN: "", KANADE_AUTH_DISABLE: "", KANADE_BACKEND_CONFIG: "" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("KANADE_AUTH_STATIC_TOKEN");
  });
});
