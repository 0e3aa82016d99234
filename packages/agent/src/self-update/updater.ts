/**
 * Follows the effective `target_version` (SPEC §6 "Self-update"): when it names another version that
 * is not quarantined, waits a random 0..`target_version_jitter`, downloads this platform's build to
 * `<exe>.new`, verifies it, swaps it in (keeping `<exe>.old` for rollback) and asks for a restart
 * (the process exits 64 so the service manager starts the new build). Failures retry with backoff.
 * The target is read again before the swap and before each retry: a rollout changed or cancelled
 * during a download is followed, not overwritten by the build that was being fetched.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { parseDurationMs, platformOf, releaseKey, type EffectiveConfig } from "@kanade/protocol/wire";
import type { EffectiveConfigView } from "../effective-config.js";
import type { downloadRelease } from "./download.js";
import { ReleaseMissingError } from "./release-missing.js";
import { loadState, quarantinedVersions, saveState } from "./state.js";

const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

export interface SelfUpdaterDeps {
  nc: NatsConnection;
  log: Logger;
  dataDir: string;
  exePath: string;
  version: string;
  settings: Pick<EffectiveConfigView, "current" | "subscribe">;
  /** Called once after a successful swap; the caller stops the agent and exits 64. */
  onSwapped(version: string): void;
  random?: () => number;
  /** Fetches and verifies one build into a file (tests substitute a fake). */
  download?: typeof downloadRelease;
}

export class SelfUpdater {
  private timer: NodeJS.Timeout | undefined;
  private scheduledFor: string | undefined;
  private failures = 0;
  private busy = false;
  private done = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: SelfUpdaterDeps) {}

  start(): void {
    this.unsubscribe = this.deps.settings.subscribe((cfg) => this.consider(cfg));
    this.consider(this.deps.settings.current());
  }

  stop(): void {
    this.unsubscribe?.();
    this.clear();
    this.done = true;
  }

  /** Versions that failed to start here and are never tried again (reported in heartbeats). */
  quarantined(): string[] {
    return quarantinedVersions(this.deps.dataDir, (err) => this.deps.log.warn({ err }, "cannot read self-update state"));
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduledFor = undefined;
  }

  private consider(cfg: EffectiveConfig): void {
    if (this.done || this.busy) return;
    const target = cfg.effective.target_version;
    const { log, version } = this.deps;
    if (!target || target === version) {
      if (this.scheduledFor) log.info({ target: this.scheduledFor }, "update cancelled: target_version changed");
      this.clear();
      return;
    }
    if (target === this.scheduledFor) return;
    if (this.quarantined().includes(target)) {
      log.warn({ target_version: target }, "target_version is quarantined on this PC (it failed to start); staying on the current version");
      this.clear();
      return;
    }
    this.clear();
    const jitterMs = parseDurationMs(cfg.effective.target_version_jitter ?? "0s") ?? 0;
    const delay = Math.floor((this.deps.random ?? Math.random)() * jitterMs);
    log.info({ target_version: target, current: version, delay_ms: delay }, "agent update scheduled");
    this.scheduledFor = target;
    this.timer = setTimeout(() => void this.update(target), delay);
  }

  /**
   * True when the effective target_version no longer names `target`; the current one is then
   * considered afresh (another version, or none), with a fresh backoff.
   */
  private outdated(target: string): boolean {
    const cfg = this.deps.settings.current();
    if (cfg.effective.target_version === target) return false;
    this.deps.log.info({ abandoned: target, target_version: cfg.effective.target_version ?? null }, "target_version changed during the update; abandoning the old target");
    this.clear();
    this.failures = 0;
    this.busy = false;
    this.consider(cfg);
    return true;
  }

  private async update(target: string): Promise<void> {
    const { log, exePath, dataDir, version, nc } = this.deps;
    if (this.done || this.outdated(target)) return;
    const platform = platformOf(process.platform, process.arch);
    if (!platform) {
      log.error({ platform: process.platform, arch: process.arch }, "no agent builds exist for this platform; not updating");
      return;
    }
    const key = releaseKey(target, platform);
    this.busy = true;
    const tmp = `${exePath}.new`;
    try {
      // Loaded when an update is due: an idle agent never needs the download path (or @nats-io/obj).
      const download = this.deps.download ?? (await import("./download.js")).downloadRelease;
      const got = await download(nc, key, tmp);
      log.info({ key, size: got.size, sha256: got.sha256 }, "agent build downloaded and verified");
      if (this.done || this.outdated(target)) {
        rmSync(tmp, { force: true });
        return;
      }
      swapIn(exePath, tmp, () => saveState(dataDir, { ...loadState(dataDir), pending: { version: target, from_version: version, attempts: 0 } }));
      this.done = true;
      log.info({ from: version, to: target, exe: exePath }, "agent build swapped; restarting");
      this.deps.onSwapped(target);
    } catch (err) {
      if (this.done) return;
      if (this.outdated(target)) {
        log.warn({ err, key }, "download of the abandoned target failed; not retrying it");
        return;
      }
      this.failures++;
      const wait = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
      if (err instanceof ReleaseMissingError) log.warn({ key, retry_ms: wait }, `${err.message}; will retry`);
      else log.error({ err, key, retry_ms: wait }, "agent update failed; will retry");
      this.scheduledFor = target;
      this.timer = setTimeout(() => void this.update(target), wait);
    } finally {
      this.busy = false;
    }
  }
}

/**
 * `<exe>` → `<exe>.old`, `<exe>.new` → `<exe>`. Renaming a running executable is allowed on Windows
 * too; overwriting it is not. If the second rename fails the first is undone, so `<exe>` always exists.
 */
export function swapIn(exePath: string, newPath: string, beforeSwap: () => void): void {
  const old = `${exePath}.old`;
  if (existsSync(old)) rmSync(old, { force: true });
  beforeSwap();
  renameSync(exePath, old);
  try {
    renameSync(newPath, exePath);
  } catch (err) {
    renameSync(old, exePath);
    throw err;
  }
}
