import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { checkPowerShell, checkPowerShellRules, formatPowerShellProblems, tempDir, waitFor } from "@kanade/testkit";
import { onPath, startDesktop, TRAY_LABELS } from "../src/desktop.js";
import { trayScript } from "../src/platform/windows-tray.js";
import { notifySendCommand } from "../src/platform/notify-send.js";

const dir = tempDir("kanade-client-desktop-");
afterAll(() => dir.remove());

describe("desktop notifications on Linux", () => {
  it("builds notify-send arguments without a shell; emergency is critical; '--' keeps a dash-led title a title", () => {
    expect(notifySendCommand({ title: "-rf", body: "b", priority: "emergency" })).toEqual({ file: "notify-send", args: ["--app-name=kanade", "--urgency=critical", "--", "-rf", "b"] });
    expect(notifySendCommand({ title: "t", body: "x".repeat(400), priority: "info" }, "/usr/bin/notify-send").args.at(-1)).toHaveLength(300);
  });

  it("runs notify-send from PATH for each new notice, and does nothing when it is missing", async () => {
    const out = dir.join("calls.txt");
    const tool = dir.join("notify-send");
    writeFileSync(tool, `#!/bin/sh\nfor a in "$@"; do printf '%s|' "$a"; done >> '${out}'\necho >> '${out}'\n`);
    chmodSync(tool, 0o755);
    expect(onPath("notify-send", { PATH: `/nonexistent:${dir.path}` })).toBe(tool);
    const logs: string[] = [];
    const d = startDesktop({ platform: "linux", env: { PATH: dir.path }, onOpen: () => undefined, onQuit: () => undefined, log: (m) => logs.push(m) });
    d.notice({ title: "Fire drill; $(reboot)", body: "Leave by the `east` stairs", priority: "emergency" });
    await waitFor(() => existsSync(out) && readFileSync(out, "utf8").includes("\n"), { what: "notify-send called" });
    expect(readFileSync(out, "utf8")).toBe("--app-name=kanade|--urgency=critical|--|Fire drill; $(reboot)|Leave by the `east` stairs|\n");
    d.stop();

    const none = startDesktop({ platform: "linux", env: { PATH: "/nonexistent" }, onOpen: () => undefined, onQuit: () => undefined, log: (m) => logs.push(m) });
    none.notice({ title: "t", body: "b", priority: "info" });
    expect(logs).toEqual(["notify-send not found: new notices show in the window only"]);
  });
});

describe("the Windows tray script", () => {
  // Parsed on Linux (tree-sitter-powershell) and held to the house rules of every shipped .ps1; not run on Windows.
  it.each(Object.entries(TRAY_LABELS))("parses and keeps the PowerShell rules (%s labels)", async (_lang, labels) => {
    const script = trayScript(labels);
    const parsed = await checkPowerShell(script);
    expect(parsed.problems, formatPowerShellProblems("tray script", parsed.problems)).toEqual([]);
    expect(await checkPowerShellRules(script)).toEqual([]);
  });
});
