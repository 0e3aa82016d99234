/**
 * Everything under `data_dir` is the agent's alone: results with script output, staged scripts, the
 * ids it ran. Directories are created 0700 and files 0600 (POSIX; Windows ignores these modes and
 * relies on the folder's ACL), and a data dir left too open by an older build is tightened at start.
 */
import { chmodSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Group and other permission bits. */
const OPEN_BITS = 0o077;

/** `mkdir -p` whose new directories are owner-only. */
export function mkdirPrivate(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Opens `path` for writing (created or truncated) as an owner-only file. The mode given to open()
 * applies only to a new file, so one left over from an earlier run is narrowed too.
 */
export function openPrivateSync(path: string): number {
  const fd = openSync(path, "w", PRIVATE_FILE_MODE);
  if (process.platform !== "win32") fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

/**
 * Creates `root` if needed and removes group/other bits from it and from everything beneath it
 * (symlinks are left alone: chmod would follow them out of the tree). Returns the paths it changed.
 * A no-op on Windows, where modes do not govern access.
 */
export function tightenTree(root: string, platform: NodeJS.Platform = process.platform): string[] {
  mkdirPrivate(root);
  if (platform === "win32") return [];
  const changed: string[] = [];
  const visit = (path: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if ((st.mode & OPEN_BITS) !== 0) {
      chmodSync(path, st.mode & 0o7777 & ~OPEN_BITS);
      changed.push(path);
    }
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return changed;
}
