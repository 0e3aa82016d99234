/** How the client opens its app window on Windows: Edge (always there on Windows 10/11), else Chrome. */
import type { AppWindowCommand } from "./posix.js";

export interface WindowsEnv {
  ProgramFiles?: string;
  "ProgramFiles(x86)"?: string;
  LOCALAPPDATA?: string;
}

/** Browser executables to try, in order. */
export function windowsBrowserCandidates(env: WindowsEnv): string[] {
  const pf86 = env["ProgramFiles(x86)"] ?? "C:\\Program Files (x86)";
  const pf = env.ProgramFiles ?? "C:\\Program Files";
  const out = [`${pf86}\\Microsoft\\Edge\\Application\\msedge.exe`, `${pf}\\Microsoft\\Edge\\Application\\msedge.exe`, `${pf}\\Google\\Chrome\\Application\\chrome.exe`, `${pf86}\\Google\\Chrome\\Application\\chrome.exe`];
  if (env.LOCALAPPDATA) out.push(`${env.LOCALAPPDATA}\\Google\\Chrome\\Application\\chrome.exe`);
  return out;
}

/** Edge/Chrome in app mode on `url` with a profile of its own under the user's local app data. */
export function windowsAppWindow(url: string, opts: { browser: string; profileDir: string }): AppWindowCommand {
  return { file: opts.browser, args: [`--app=${url}`, `--user-data-dir=${opts.profileDir}`, "--no-first-run", "--no-default-browser-check"] };
}
