import { describe, expect, it } from "vitest";
import { formatLogLine } from "./format.js";

describe("log formatting", () => {
  it("renders a pino record on one line and leaves other text alone", () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1), pid: 1, hostname: "h", pc_id: "pc-1", exec_id: "e", msg: "kill requested" });
    expect(formatLogLine(line)).toBe("2026-01-01T00:00:00.000Z WARN  kill requested pc_id=pc-1 exec_id=e");
    expect(formatLogLine("not json")).toBe("not json");
  });
  it("escapes control characters a record or a plain line carries, one line per record", () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1), msg: "script said \x1b]0;OWNED\x07", err: "a\nb" });
    expect(formatLogLine(line)).toBe("2026-01-01T00:00:00.000Z ERROR script said \\x1b]0;OWNED\\x07 err=a\\x0ab");
    expect(formatLogLine("plain \x1b[2J line")).toBe("plain \\x1b[2J line");
  });
});
