import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Finds an executable on PATH (with PATHEXT on Windows); undefined when absent. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env, win = process.platform === "win32"): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? "").split(delimiter).filter(Boolean);
  const exts = win && !/\.[a-z0-9]+$/i.test(name) ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, win ? constants.F_OK : constants.X_OK);
        return candidate;
      } catch (err) {
        // Not here; keep looking. Anything but "missing / not executable" is worth knowing.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "EACCES" && code !== "ENOTDIR") throw err;
      }
    }
  }
  return undefined;
}
