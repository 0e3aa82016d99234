/**
 * What self-update remembers across restarts, in `<data_dir>/self-update/state.json`: the version
 * being tried (and how many starts it got) and the versions that failed to start and were rolled back.
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";

export const updateStateSchema = z.object({
  /** A swap happened; the new build has not yet reported healthy. */
  pending: z.object({ version: z.string(), from_version: z.string(), attempts: z.number().int().min(0) }).optional(),
  quarantined: z.array(z.string()).default([]),
});
export type UpdateState = z.infer<typeof updateStateSchema>;

export const statePath = (dataDir: string): string => join(dataDir, "self-update", "state.json");

/** A missing file is a fresh state; a damaged one is reported, not silently reset. */
export function loadState(dataDir: string): UpdateState {
  const path = statePath(dataDir);
  if (!existsSync(path)) return { quarantined: [] };
  return updateStateSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

/**
 * For the start-up path: a damaged file is logged, moved aside (kept for a post-mortem) and read as
 * "no update on trial". Throwing here would exit before anything could count or roll back, on every
 * start, forever.
 */
export function loadStateOrReset(dataDir: string, log: Pick<Logger, "error">): UpdateState {
  try {
    return loadState(dataDir);
  } catch (err) {
    const path = statePath(dataDir);
    const aside = `${path}.damaged-${Date.now()}`;
    try {
      renameSync(path, aside);
      log.error({ err, path, moved_to: aside }, "self-update state is unreadable; moved it aside, no update is on trial");
    } catch (moveErr) {
      // The next save replaces it anyway (atomic rename); until then it is read as empty again.
      log.error({ err, path, move_error: moveErr }, "self-update state is unreadable and could not be moved aside; no update is on trial");
    }
    return { quarantined: [] };
  }
}

export function saveState(dataDir: string, state: UpdateState): void {
  const path = statePath(dataDir);
  mkdirPrivate(dirname(path));
  writeFileAtomicSync(path, JSON.stringify(state, null, 2));
}

/** For heartbeats: the quarantine list, or none (logged) when the state file cannot be read. */
export function quarantinedVersions(dataDir: string, onError: (err: unknown) => void): string[] {
  try {
    return loadState(dataDir).quarantined;
  } catch (err) {
    onError(err);
    return [];
  }
}
