import { describe, expect, it } from "vitest";
import { callArgs, inputKey } from "./call-input.js";

describe("useCall's input", () => {
  it("is the same input when its values are the same, so a re-render does not call again", () => {
    expect(inputKey({ params: { pc: "a" } })).toBe(inputKey({ params: { pc: "a" } }));
    expect(inputKey({ params: { pc: "a" } })).not.toBe(inputKey({ params: { pc: "b" } }));
    expect(inputKey(null)).toBeNull();
  });
  it("carries the component's abort signal to the call", () => {
    const abort = new AbortController();
    const [input] = callArgs("getAgent", { params: { pc: "a" } }, abort.signal);
    expect(input).toEqual({ params: { pc: "a" }, signal: abort.signal });
  });
});
