/**
 * The Windows tray entry: a small Windows PowerShell script (System.Windows.Forms.NotifyIcon) that the client
 * starts as a child. It shows an icon whose click (or menu "Open") asks the client to open the app window,
 * and shows a balloon for each new notice the client sends it. It talks over its stdin/stdout only, in
 * JSON lines: no URL or token ever reaches it, so it cannot leak a session. Pure text here; tray.ts runs it.
 * Not run on Windows yet (written against Windows PowerShell 5.1 and .NET Framework's WinForms).
 */
import type { AppWindowCommand } from "./posix.js";

export interface TrayLabels {
  /** Tooltip of the icon; NotifyIcon.Text takes at most 63 characters on .NET Framework. */
  tooltip: string;
  open: string;
  quit: string;
}

/** What the client sends the tray: a balloon. `level` picks the balloon's icon. */
export interface TrayBalloon {
  title: string;
  text: string;
  level: "info" | "warning" | "error";
}

/** What the tray tells the client: the user wants the window, or wants the app gone. */
export type TrayRequest = "open" | "quit";

/** Windows limits (.NET Framework NotifyIcon): tooltip 63, balloon title 63, balloon text 255 characters. */
export const TRAY_LIMITS = { tooltip: 63, balloonTitle: 63, balloonText: 255 } as const;

const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** A PowerShell single-quoted literal: nothing inside is expanded; a quote (also the typographic ones PowerShell treats alike) is doubled. */
export function psQuote(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** JSON with every non-ASCII character escaped: the line survives whatever code page the console pipe has. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** One line for the tray's stdin. Control characters become spaces; lengths are clipped to what Windows shows. */
export function trayBalloonLine(b: TrayBalloon): string {
  // eslint-disable-next-line no-control-regex
  const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return `${asciiJson({ balloon: { title: clip(clean(b.title), TRAY_LIMITS.balloonTitle), text: clip(clean(b.text) || " ", TRAY_LIMITS.balloonText), level: b.level } })}\n`;
}

/** A line the tray printed → what it asks; anything else (PowerShell noise) is ignored. */
export function parseTrayLine(line: string): TrayRequest | undefined {
  const t = line.trim();
  return t === "open" || t === "quit" ? t : undefined;
}

/** The script. Labels are the only variable text in it, each a single-quoted literal. */
export function trayScript(labels: TrayLabels): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    "[Console]::InputEncoding = [System.Text.Encoding]::UTF8",
    "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8",
    "Add-Type -AssemblyName System.Windows.Forms",
    "Add-Type -AssemblyName System.Drawing",
    "function Send-Kanade([string]$What) { [Console]::Out.WriteLine($What); [Console]::Out.Flush() }",
    "$icon = New-Object System.Windows.Forms.NotifyIcon",
    "$icon.Icon = [System.Drawing.SystemIcons]::Information",
    `$icon.Text = ${psQuote(clip(labels.tooltip, TRAY_LIMITS.tooltip))}`,
    "$menu = New-Object System.Windows.Forms.ContextMenuStrip",
    `$openItem = $menu.Items.Add(${psQuote(labels.open)})`,
    "$openItem.add_Click({ Send-Kanade 'open' })",
    `$quitItem = $menu.Items.Add(${psQuote(labels.quit)})`,
    "$quitItem.add_Click({ Send-Kanade 'quit'; $icon.Visible = $false; [System.Windows.Forms.Application]::Exit() })",
    "$icon.ContextMenuStrip = $menu",
    "$icon.add_MouseClick({ param($s, $e) if ($e.Button -eq [System.Windows.Forms.MouseButtons]::Left) { Send-Kanade 'open' } })",
    "$icon.add_BalloonTipClicked({ Send-Kanade 'open' })",
    "$icon.Visible = $true",
    // stdin is read without blocking the UI thread: one ReadLineAsync at a time, checked by a timer.
    // End of input means the client is gone: the icon goes with it.
    "$script:pending = [Console]::In.ReadLineAsync()",
    "$timer = New-Object System.Windows.Forms.Timer",
    "$timer.Interval = 250",
    "$timer.add_Tick({",
    "  while ($script:pending.IsCompleted) {",
    "    $line = $script:pending.Result",
    "    if ($null -eq $line) { $timer.Stop(); $icon.Visible = $false; [System.Windows.Forms.Application]::Exit(); return }",
    "    try {",
    "      $m = $line | ConvertFrom-Json",
    "      if ($m.balloon) {",
    "        $level = [System.Windows.Forms.ToolTipIcon]::Info",
    "        if ($m.balloon.level -eq 'error') { $level = [System.Windows.Forms.ToolTipIcon]::Error }",
    "        elseif ($m.balloon.level -eq 'warning') { $level = [System.Windows.Forms.ToolTipIcon]::Warning }",
    "        $icon.ShowBalloonTip(10000, [string]$m.balloon.title, [string]$m.balloon.text, $level)",
    "      }",
    "    } catch { [Console]::Error.WriteLine(\"tray: $($_.Exception.Message)\") }",
    "    $script:pending = [Console]::In.ReadLineAsync()",
    "  }",
    "})",
    "$timer.Start()",
    "[System.Windows.Forms.Application]::Run()",
    "$icon.Dispose()",
    "",
  ].join("\r\n");
}

/** Windows PowerShell 5.1 (always present on Windows 10/11), hidden, STA (WinForms needs it), the script as -EncodedCommand (UTF-16LE base64: no quoting at all). */
export function trayCommand(script: string, env: { SystemRoot?: string } = {}): AppWindowCommand {
  const root = env.SystemRoot ?? "C:\\Windows";
  return {
    file: `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
    args: ["-NoLogo", "-NoProfile", "-NonInteractive", "-STA", "-WindowStyle", "Hidden", "-ExecutionPolicy", "Bypass", "-EncodedCommand", Buffer.from(script, "utf16le").toString("base64")],
  };
}
