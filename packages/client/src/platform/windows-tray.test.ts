import { describe, expect, it } from "vitest";
import { asciiJson, parseTrayLine, psQuote, TRAY_LIMITS, trayBalloonLine, trayCommand, trayScript } from "./windows-tray.js";

// Only the text is checked here: the script itself was not run on Windows (no Windows host in CI).
describe("Windows tray script (pure parts)", () => {
  it("quotes PowerShell literals so nothing expands and quotes cannot end them", () => {
    expect(psQuote("Open kanade")).toBe("'Open kanade'");
    expect(psQuote("it's $env:USERNAME `n $(calc)")).toBe("'it''s $env:USERNAME `n $(calc)'");
    // PowerShell also ends a single-quoted string at typographic quotes: they are doubled too.
    expect(psQuote("a\u2019b\u2018c")).toBe("'a\u2019\u2019b\u2018\u2018c'");
  });

  it("puts the labels in as literals and clips the tooltip to 63 characters", () => {
    const s = trayScript({ tooltip: `x'${"y".repeat(100)}`, open: "kanade を開く", quit: "Qu'it" });
    expect(s).toContain(`$icon.Text = 'x''${"y".repeat(TRAY_LIMITS.tooltip - 3)}…'`);
    expect(s).toContain("$menu.Items.Add('kanade を開く')");
    expect(s).toContain("$menu.Items.Add('Qu''it')");
    expect(s).toContain("[System.Windows.Forms.Application]::Run()");
    // The script reads JSON lines and writes bare words; it is never handed a URL or token.
    expect(s).not.toMatch(/token|http/i);
    expect(s.split("\r\n").length).toBeGreaterThan(20);
  });

  it("starts hidden Windows PowerShell in STA with the script as -EncodedCommand (UTF-16LE base64)", () => {
    const script = trayScript({ tooltip: "t", open: "o", quit: "q" });
    const cmd = trayCommand(script, { SystemRoot: "D:\\Win" });
    expect(cmd.file).toBe("D:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
    expect(cmd.args.slice(0, -1)).toEqual(["-NoLogo", "-NoProfile", "-NonInteractive", "-STA", "-WindowStyle", "Hidden", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]);
    expect(Buffer.from(cmd.args.at(-1)!, "base64").toString("utf16le")).toBe(script);
    // Well under the 32,767-character command line limit.
    expect(cmd.args.join(" ").length).toBeLessThan(16_000);
    expect(trayCommand(script).file).toBe("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
  });

  it("sends balloons as one ASCII JSON line, control characters flattened, clipped to Windows' limits", () => {
    const line = trayBalloonLine({ title: "停電\nのお知らせ", text: `${"z".repeat(300)}\r\nend`, level: "warning" });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[^\x20-\x7e]/);
    const m = JSON.parse(line) as { balloon: { title: string; text: string; level: string } };
    expect(m.balloon.title).toBe("停電 のお知らせ");
    expect(m.balloon.text.length).toBe(TRAY_LIMITS.balloonText);
    expect(m.balloon.text.endsWith("…")).toBe(true);
    expect(m.balloon.level).toBe("warning");
    expect(JSON.parse(asciiJson({ s: "é\u2028😀" }))).toEqual({ s: "é\u2028😀" });
    // An empty body still gives Windows a non-empty balloon text (ShowBalloonTip refuses an empty one).
    expect((JSON.parse(trayBalloonLine({ title: "t", text: "", level: "info" })) as { balloon: { text: string } }).balloon.text).toBe(" ");
  });

  it("understands only 'open' and 'quit' from the tray", () => {
    expect(parseTrayLine("open\r")).toBe("open");
    expect(parseTrayLine(" quit ")).toBe("quit");
    expect(parseTrayLine("tray: some error")).toBeUndefined();
    expect(parseTrayLine("")).toBeUndefined();
  });
});
