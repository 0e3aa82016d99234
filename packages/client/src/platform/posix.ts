/** How the client opens its app window on Linux (and other POSIX systems). */
export interface AppWindowCommand {
  file: string;
  args: string[];
}

/** Chromium in app mode on `url`, with its own profile so it does not join (or wait on) the user's browser. */
export function posixAppWindow(url: string, opts: { browser?: string; profileDir: string }): AppWindowCommand {
  return { file: opts.browser ?? "chromium", args: [`--app=${url}`, `--user-data-dir=${opts.profileDir}`, "--no-first-run", "--no-default-browser-check"] };
}
