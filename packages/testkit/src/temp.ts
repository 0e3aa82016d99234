import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  readonly path: string;
  join(...parts: string[]): string;
  remove(): void;
}

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export function tempDir(prefix = "kanade-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, join: (...parts) => join(path, ...parts), remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A path for a fresh SQLite file inside its own temp dir. */
export function tempSqlite(): { path: string; url: string; remove(): void } {
  const dir = tempDir("kanade-sqlite-");
  const path = dir.join("kanade.db");
  return { path, url: `sqlite://${path}`, remove: dir.remove };
}
