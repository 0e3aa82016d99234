import { describe, expect, it } from "vitest";
import { MAX_SUPPORT_BUNDLE_BYTES } from "@kanade/protocol/wire";
import { KLP_ERRORS, type StateSnapshot } from "@kanade/protocol/klp";
import { KlpFault } from "./faults.js";
import { RunRegistry } from "./runs.js";
import { SupportUploads } from "./support.js";

const state: StateSnapshot = { pc_id: "pc-1", online: true, agent_version: "1.0.0", client_version: "2.0.0", health: [], pending_updates: [] };

describe("support bundles", () => {
  it("shortens the log tail, oldest lines first, until the bundle fits 512 KiB", () => {
    const lines = Array.from({ length: 1_000 }, (_, i) => `{"n":${i},"msg":"${"x".repeat(2_000)}"}`);
    const s = new SupportUploads({ backend: { uploadSupport: () => Promise.resolve("b") }, runs: new RunRegistry(), agentVersion: "1.0.0", logTail: (n) => lines.slice(-n) });
    const bundle = s.bundle("uid:1", "note", state, "2026-01-01T00:00:00.000Z");
    expect(Buffer.byteLength(JSON.stringify(bundle))).toBeLessThanOrEqual(MAX_SUPPORT_BUNDLE_BYTES);
    expect(bundle.log_tail.length).toBeGreaterThan(100);
    expect(bundle.log_tail.at(-1)).toBe(lines.at(-1));
  });

  it("allows one bundle per user a minute; a failed upload does not count", async () => {
    let now = 0;
    let fail = true;
    const s = new SupportUploads({
      backend: { uploadSupport: () => (fail ? Promise.reject(new Error("down")) : Promise.resolve("b1")) },
      runs: new RunRegistry(),
      agentVersion: "1.0.0",
      logTail: () => [],
      now: () => now,
    });
    await expect(s.upload("uid:1", undefined, state)).rejects.toThrow("down");
    fail = false;
    expect(await s.upload("uid:1", undefined, state)).toBe("b1");
    const refused = await s.upload("uid:1", undefined, state).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KlpFault);
    expect((refused as KlpFault).code).toBe(KLP_ERRORS.RATE_LIMIT);
    expect(await s.upload("uid:2", undefined, state)).toBe("b1");
    now += 60_000;
    expect(await s.upload("uid:1", undefined, state)).toBe("b1");
  });
});
