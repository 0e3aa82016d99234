/**
 * Runs first on every agent start (from boot.ts, before the program's own modules load). It counts the
 * starts of a freshly swapped-in build; a build that has started MAX_FAILED_STARTS times without
 * reporting healthy is rolled back (`<exe>` → `<exe>.bad`, `<exe>.old` → `<exe>`), quarantined, and the
 * process exits 64 so the service manager starts the previous build again. `markHealthy` ends the trial
 * and removes `.old` and `.bad`.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import type { Logger } from "pino";
import { loadStateOrReset, saveState, type UpdateState } from "./state.js";

export const MAX_FAILED_STARTS = 3;

/** The file operations on the executable; tests inject one that behaves like Windows. */
export interface ExeFs {
  existsSync(path: string): boolean;
  renameSync(from: string, to: string): void;
  rmSync(path: string, opts: { force: boolean }): void;
}

const nodeFs: ExeFs = { existsSync, renameSync, rmSync };

export interface BootGuardInput {
  dataDir: string;
  /** The executable the service manager starts; undefined when this agent cannot update itself. */
  exePath: string | undefined;
  version: string;
  log: Logger;
  fs?: ExeFs;
}

export type BootDecision = { action: "continue" } | { action: "restart"; reason: string };

/** Where a rolled-back build is moved while it is still the running image. */
export const movedAsidePath = (exePath: string): string => `${exePath}.bad`;

export function runBootGuard(input: BootGuardInput): BootDecision {
  const { dataDir, exePath, version, log } = input;
  const fs = input.fs ?? nodeFs;
  const state = loadStateOrReset(dataDir, log);
  const pending = state.pending;
  if (!pending) return { action: "continue" };
  if (pending.version !== version) {
    // Someone put another build in place (a manual install or rollback); the trial is over.
    log.warn({ pending: pending.version, running: version }, "update trial ended: a different build is running");
    saveState(dataDir, { ...state, pending: undefined });
    return { action: "continue" };
  }
  if (pending.attempts < MAX_FAILED_STARTS) {
    saveState(dataDir, { ...state, pending: { ...pending, attempts: pending.attempts + 1 } });
    log.info({ version, attempt: pending.attempts + 1 }, "starting a freshly updated build");
    return { action: "continue" };
  }
  const quarantined: UpdateState = { quarantined: addUnique(state.quarantined, version) };
  const old = exePath && `${exePath}.old`;
  if (!exePath || !old || !fs.existsSync(old)) {
    log.error({ version, exe: exePath }, "updated build keeps failing to start, but there is no previous build to roll back to");
    saveState(dataDir, quarantined);
    return { action: "continue" };
  }
  try {
    rollBack(fs, exePath, old, log);
  } catch (err) {
    // Exiting here would start this build again with the counter still at its limit: a crash loop with
    // no rollback and no quarantine. Record the quarantine and let this build try to run instead.
    saveState(dataDir, quarantined);
    log.error({ err, version, exe: exePath }, "could not roll back the updated build; quarantined it and running it anyway");
    return { action: "continue" };
  }
  try {
    saveState(dataDir, quarantined);
  } catch (err) {
    // The previous build is back in place: restarting into it matters more than the record.
    log.error({ err, version }, "rolled back, but could not record the quarantine");
  }
  const reason = `agent ${version} failed to start ${MAX_FAILED_STARTS} times; rolled back to ${pending.from_version} and quarantined ${version}`;
  log.error({ version, rolled_back_to: pending.from_version, moved_aside: movedAsidePath(exePath) }, reason);
  return { action: "restart", reason };
}

/**
 * Windows keeps the running image mapped: it may be renamed, but not overwritten or deleted, so a
 * plain `<exe>.old` → `<exe>` fails with EPERM while this build runs from `<exe>`. Moving the running
 * build aside first frees the name (POSIX allows either order). If the second rename fails the first is
 * undone, so the service manager still finds an executable.
 */
function rollBack(fs: ExeFs, exePath: string, old: string, log: Logger): void {
  const aside = movedAsidePath(exePath);
  if (fs.existsSync(aside)) fs.rmSync(aside, { force: true });
  fs.renameSync(exePath, aside);
  try {
    fs.renameSync(old, exePath);
  } catch (err) {
    try {
      fs.renameSync(aside, exePath);
    } catch (undoErr) {
      log.fatal({ err: undoErr, exe: exePath, moved_aside: aside }, "could not move the updated build back; the executable is missing");
    }
    throw err;
  }
}

/** The running build works: end its trial and delete the builds kept for rollback or moved aside by one. */
export function markHealthy(input: BootGuardInput): void {
  const { dataDir, exePath, version, log } = input;
  const fs = input.fs ?? nodeFs;
  const state = loadStateOrReset(dataDir, log);
  if (state.pending?.version === version) {
    saveState(dataDir, { ...state, pending: undefined });
    log.info({ version, from_version: state.pending.from_version }, "agent update complete");
  }
  if (!exePath) return;
  // A swap that already happened in this process (pending names the next build) needs its `.old`.
  if (state.pending === undefined || state.pending.version === version) removeLeftover(fs, `${exePath}.old`, log, "removed the previous build");
  removeLeftover(fs, movedAsidePath(exePath), log, "removed a rolled-back build");
}

/** A leftover that cannot be removed now (still mapped by an exiting process) is tried again next start. */
function removeLeftover(fs: ExeFs, path: string, log: Logger, done: string): void {
  if (!fs.existsSync(path)) return;
  try {
    fs.rmSync(path, { force: true });
    log.info({ path }, done);
  } catch (err) {
    log.warn({ err, path }, "could not remove a leftover agent build; will try again at the next start");
  }
}

const addUnique = (list: readonly string[], v: string): string[] => (list.includes(v) ? [...list] : [...list, v]);
