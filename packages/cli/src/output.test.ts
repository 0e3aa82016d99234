import { describe, expect, it } from "vitest";
import { escapeTerminal, firstLine, formatMs, renderTable, statusStyle, type Io } from "./output.js";

const io = (color: boolean): Io => ({ out: () => undefined, err: () => undefined, stderrIsTTY: false, color });

describe("renderTable", () => {
  it("aligns columns, shows missing cells as '-', and leaves no trailing blanks", () => {
    const text = renderTable(
      ["PC", "STATUS", "EXIT", "OUTPUT"],
      [
        ["pc-1", "succeeded", 0, "hello"],
        ["a-much-longer-pc", "running", null, ""],
      ],
    );
    expect(text).toBe(
      [
        "PC                STATUS     EXIT  OUTPUT",
        "pc-1              succeeded  0     hello",
        "a-much-longer-pc  running    -     -",
        "",
      ].join("\n"),
    );
  });

  it("prints only the header for an empty list", () => {
    expect(renderTable(["ID", "VERSION"], [])).toBe("ID  VERSION\n");
  });

  it("colours the status column without changing alignment, and only when colour is allowed", () => {
    const rows = [["pc-1", "failed", 1]];
    const plain = renderTable(["PC", "STATUS", "EXIT"], rows, statusStyle(io(false), 1));
    const coloured = renderTable(["PC", "STATUS", "EXIT"], rows, statusStyle(io(true), 1));
    expect(plain).not.toContain("\x1b[");
    expect(coloured).toContain("\x1b[31mfailed");
    expect(coloured.replaceAll("\x1b[31m", "").replaceAll("\x1b[0m", "")).toBe(plain);
  });
});

describe("formatMs", () => {
  it("uses ms below a second, tenths of seconds below a minute, then compact units", () => {
    expect(formatMs(350)).toBe("350ms");
    expect(formatMs(1234)).toBe("1.2s");
    expect(formatMs(59_990)).toBe("59.9s");
    expect(formatMs(90_000)).toBe("1m30s");
    expect(formatMs(null)).toBe("-");
  });
});

describe("firstLine", () => {
  it("keeps the first non-blank line of output and trims long lines", () => {
    expect(firstLine("hello from pc-1\ncwd=/tmp\n")).toBe("hello from pc-1");
    expect(firstLine("\r\nwindows line\r\nmore")).toBe("windows line");
    expect(firstLine(null)).toBe("");
    expect(firstLine("x".repeat(100), 10)).toBe("xxxxxxxxx…");
  });
});

describe("escapeTerminal", () => {
  it("shows C0 controls, DEL and C1 controls as visible \\x escapes", () => {
    expect(escapeTerminal("\x1b]0;OWNED\x07hello")).toBe("\\x1b]0;OWNED\\x07hello");
    expect(escapeTerminal("\x1b[31mred\x1b[0m \x00 \x7f \u0085 \u009b2J")).toBe("\\x1b[31mred\\x1b[0m \\x00 \\x7f \\x85 \\x9b2J");
    expect(escapeTerminal("50%\r60%\r")).toBe("50%\\x0d60%\\x0d");
  });

  it("keeps line breaks, tabs, CRLF, backslashes and printable Unicode as they are", () => {
    const text = "line 1\r\nC:\\Users\\op\tdone\n奏 é 🎵 \u00a0\n";
    expect(escapeTerminal(text)).toBe(text);
  });

  it("escapes line breaks and tabs too when the text must stay on one line", () => {
    expect(escapeTerminal("a\tb\r\nc\n", { singleLine: true })).toBe("a\\x09b\\x0d\\x0ac\\x0a");
  });
});

describe("renderTable and control characters", () => {
  it("escapes every cell, so a row stays one aligned line and cannot drive the terminal", () => {
    const text = renderTable(["PC", "OUTPUT"], [["pc-1", "\x1b]0;OWNED\x07hi"], ["pc-2", "two\nlines"]]);
    expect(text).toBe("PC    OUTPUT\npc-1  \\x1b]0;OWNED\\x07hi\npc-2  two\\x0alines\n");
  });
});
