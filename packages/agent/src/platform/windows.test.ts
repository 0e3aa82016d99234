import { describe, expect, it } from "vitest";
import { taskkillArgv, windowsPlatform } from "./windows.js";

describe("windows platform (pure parts)", () => {
  it("kills a whole tree with taskkill /T /F", () => {
    expect(taskkillArgv(4242)).toEqual({ file: "taskkill.exe", args: ["/T", "/F", "/PID", "4242"] });
  });

  it("reports a shell that is not on PATH as unsupported", () => {
    const p = windowsPlatform({ PATH: "", PATHEXT: ".EXE" });
    expect(p.unsupportedReason("powershell")).toMatch(/powershell is not installed/);
  });
});
