import { closeSync, fsyncSync, renameSync, writeSync } from "node:fs";
import { openPrivateSync } from "./private-files.js";

/** Writes an owner-only file so that a crash leaves either the old or the new content, never half of it. */
export function writeFileAtomicSync(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openPrivateSync(tmp);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
