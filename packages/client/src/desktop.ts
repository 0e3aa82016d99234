/**
 * The client's presence on the desktop besides its window: on Windows a tray icon (PowerShell NotifyIcon,
 * see platform/windows-tray.ts) that reopens the window and shows a balloon per new notice; on Linux a
 * notify-send notification per new notice when libnotify's tool is installed; elsewhere nothing.
 * Whatever fails here is logged and the client carries on: the window and the agent link matter, this does not.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import { notifySendCommand, type NoticePriority } from "./platform/notify-send.js";
import { parseTrayLine, trayBalloonLine, trayCommand, trayScript, type TrayLabels } from "./platform/windows-tray.js";

export interface Desktop {
  /** A notice arrived while the client runs. */
  notice(n: { title: string; body: string; priority: NoticePriority }): void;
  stop(): void;
}

export interface DesktopOptions {
  onOpen(): void;
  onQuit(): void;
  log(msg: string, fields?: Record<string, unknown>): void;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** The UI language (`ja` or `en`), for the tray's words. */
  lang?: string;
}

export const TRAY_LABELS: Record<"en" | "ja", TrayLabels> = {
  en: { tooltip: "kanade — IT notices and self-service", open: "Open kanade", quit: "Quit" },
  ja: { tooltip: "kanade — IT からのお知らせとセルフサービス", open: "kanade を開く", quit: "終了" },
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) if (dir && executable(join(dir, name))) return join(dir, name);
  return undefined;
}

const NONE: Desktop = { notice: () => undefined, stop: () => undefined };

export function startDesktop(opts: DesktopOptions): Desktop {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  if (platform === "win32") return windowsTray(opts, env);
  if (platform === "linux") {
    const tool = onPath("notify-send", env);
    if (!tool) {
      opts.log("notify-send not found: new notices show in the window only");
      return NONE;
    }
    return {
      notice(n) {
        const cmd = notifySendCommand(n, tool);
        execFile(cmd.file, cmd.args, { timeout: 10_000 }, (err) => err && opts.log("notify-send failed", { error: err.message }));
      },
      stop: () => undefined,
    };
  }
  return NONE;
}

function windowsTray(opts: DesktopOptions, env: NodeJS.ProcessEnv): Desktop {
  const labels = TRAY_LABELS[opts.lang === "ja" ? "ja" : "en"];
  const cmd = trayCommand(trayScript(labels), env.SystemRoot ? { SystemRoot: env.SystemRoot } : {});
  const child = spawn(cmd.file, cmd.args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
  let alive = true;
  child.on("error", (err) => {
    alive = false;
    opts.log("the tray icon could not start", { error: err.message });
  });
  child.on("exit", (code) => {
    alive = false;
    if (code) opts.log("the tray icon ended", { exit_code: code });
  });
  child.stdin.on("error", () => (alive = false));
  child.stderr.on("data", (d: Buffer) => opts.log("tray", { stderr: d.toString("utf8").trim() }));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const req = parseTrayLine(line);
    if (req === "open") opts.onOpen();
    else if (req === "quit") opts.onQuit();
  });
  return {
    notice(n) {
      if (alive) child.stdin.write(trayBalloonLine({ title: n.title, text: n.body, level: n.priority === "emergency" ? "error" : n.priority === "warning" ? "warning" : "info" }));
    },
    stop() {
      // End of input tells the script to remove its icon and exit.
      if (alive) child.stdin.end();
    },
  };
}
