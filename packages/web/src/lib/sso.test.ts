import { describe, expect, it } from "vitest";
import { handoffCodeIn } from "./sso.js";

describe("the SSO handoff fragment", () => {
  it("reads a 43-character code and nothing else", () => {
    const code = "a".repeat(40) + "_-Z";
    expect(handoffCodeIn(`#handoff=${code}`)).toBe(code);
    expect(handoffCodeIn("#handoff=short")).toBeUndefined();
    expect(handoffCodeIn("")).toBeUndefined();
    expect(handoffCodeIn(`#other=${code}`)).toBeUndefined();
  });
});
