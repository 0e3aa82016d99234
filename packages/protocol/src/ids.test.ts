import { describe, expect, it } from "vitest";
import { isJobId } from "./ids.js";
import { jobIdSchema } from "./messages.js";

describe("job ids", () => {
  it("accepts lowercase ids with single dots, dashes and underscores between parts", () => {
    for (const id of ["hello", "cleanup-disk-temp", "a", "0", "a.b", "office.install.v2", "a_b-c.d_e", "a.-b", "x".repeat(64)]) {
      expect(isJobId(id), id).toBe(true);
    }
  });

  it("refuses what is not a NATS KV key or subject token: a leading or trailing dot, `..`", () => {
    for (const id of ["a.", "a..b", ".a", "a.b.", "..", "a...b"]) {
      expect(isJobId(id), id).toBe(false);
    }
  });

  it("keeps the other rules: lowercase, a letter or digit first, at most 64 characters", () => {
    for (const id of ["", "Hello", "-a", "_a", "a b", "a/b", "a*", "a>", "x".repeat(65), "ä"]) {
      expect(isJobId(id), id).toBe(false);
    }
  });

  it("is what jobIdSchema checks, so API path and query parameters refuse the same ids", () => {
    expect(jobIdSchema.safeParse("a..b").success).toBe(false);
    expect(jobIdSchema.safeParse("a.").success).toBe(false);
    expect(jobIdSchema.safeParse("a.b").success).toBe(true);
  });
});
