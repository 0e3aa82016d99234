import { describe, expect, it } from "vitest";
import { echoOutput } from "./echo-executor.js";

describe("echoOutput", () => {
  it("returns the echoed lines", () => {
    expect(echoOutput('echo hello\necho "two  words"\n# note\n\necho')).toBe("hello\ntwo  words\n\n");
  });
  it("refuses anything that is not a plain echo", () => {
    expect(echoOutput("echo hi\nsleep 1")).toBeUndefined();
    expect(echoOutput("echo $HOME")).toBeUndefined();
    expect(echoOutput("echo a; rm -rf /")).toBeUndefined();
  });
});
