/**
 * Runs first on every agent start, before anything that could crash. It counts the starts of a
 * freshly swapped-in build; a build that has started MAX_FAILED_STARTS times without reporting
 * healthy is rolled back (`<exe>.old` → `<exe>`), quarantined, and the process exits 64 so the
 * service manager starts the previous build again. `markHealthy` ends the trial and removes `.old`.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import type { Logger } from "pino";
import { loadState, saveState } from "./state.js";

export const MAX_FAILED_STARTS = 3;

export interface BootGuardInput {
  dataDir: string;
  /** The executable the service manager starts; undefined when this agent cannot update itself. */
  exePath: string | undefined;
  version: string;
  log: Logger;
}

export type BootDecision = { action: "continue" } | { action: "restart"; reason: string };

export function runBootGuard(input: BootGuardInput): BootDecision {
  const { dataDir, exePath, version, log } = input;
  const state = loadState(dataDir);
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
  const old = exePath && `${exePath}.old`;
  if (!exePath || !old || !existsSync(old)) {
    log.error({ version, exe: exePath }, "updated build keeps failing to start, but there is no previous build to roll back to");
    saveState(dataDir, { quarantined: addUnique(state.quarantined, version) });
    return { action: "continue" };
  }
  renameSync(old, exePath);
  saveState(dataDir, { quarantined: addUnique(state.quarantined, version) });
  const reason = `agent ${version} failed to start ${MAX_FAILED_STARTS} times; rolled back to ${pending.from_version} and quarantined ${version}`;
  log.error({ version, rolled_back_to: pending.from_version }, reason);
  return { action: "restart", reason };
}

/** The running build works: end its trial and delete the previous build kept for rollback. */
export function markHealthy(input: Omit<BootGuardInput, "log"> & { log: Logger }): void {
  const { dataDir, exePath, version, log } = input;
  const state = loadState(dataDir);
  if (state.pending?.version === version) {
    saveState(dataDir, { ...state, pending: undefined });
    log.info({ version, from_version: state.pending.from_version }, "agent update complete");
  }
  // A swap that already happened in this process (pending names the next build) needs its `.old`.
  if (exePath && existsSync(`${exePath}.old`) && (state.pending === undefined || state.pending.version === version)) {
    rmSync(`${exePath}.old`, { force: true });
    log.info({ exe: exePath }, "removed the previous build");
  }
}

const addUnique = (list: readonly string[], v: string): string[] => (list.includes(v) ? [...list] : [...list, v]);
