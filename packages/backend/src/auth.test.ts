import { describe, expect, it } from "vitest";
import { tokenMatches } from "./auth.js";

describe("tokenMatches", () => {
  it("matches only the exact token, whatever the lengths", () => {
    expect(tokenMatches("secret", "secret")).toBe(true);
    expect(tokenMatches("secre", "secret")).toBe(false);
    expect(tokenMatches("secret-longer", "secret")).toBe(false);
    expect(tokenMatches("", "secret")).toBe(false);
  });
});
