import { describe, expect, it } from "vitest";
import { issueLines, lineOf } from "./manifest-lines.js";

const yaml = ["id: hello", "version: 1.0.0", "execute:", "  shell: fish", "  script: echo hi", "  timeout: soon", ""].join("\n");

describe("issueLines", () => {
  it("counts lines from offsets", () => {
    expect(lineOf("a\nb\nc", 0)).toBe(1);
    expect(lineOf("a\nb\nc", 4)).toBe(3);
  });
  it("puts field errors on the line of their key", () => {
    const m = issueLines(yaml, [
      { path: "execute.shell", message: "expected one of sh, bash, powershell" },
      { path: "execute.timeout", message: "expected a duration" },
    ]);
    expect(m.get(4)).toEqual(["execute.shell: expected one of sh, bash, powershell"]);
    expect(m.get(6)).toEqual(["execute.timeout: expected a duration"]);
  });
  it("falls back to the nearest existing parent for missing fields", () => {
    expect(issueLines(yaml, [{ path: "execute.run_as", message: "required" }]).get(3)).toEqual(["execute.run_as: required"]);
    expect(issueLines(yaml, [{ path: "", message: "unknown field(s): nope" }]).get(1)).toEqual(["unknown field(s): nope"]);
  });
  it("uses the line a YAML syntax error names", () => {
    const m = issueLines("id: [\n", [{ path: "", message: "YAML syntax error at line 2: Unexpected end" }]);
    expect(m.get(2)).toEqual(["YAML syntax error at line 2: Unexpected end"]);
  });
});
