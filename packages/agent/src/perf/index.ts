/** The perf source for this OS, and the interval the effective config asks for. */
import { CONFIG_DEFAULTS, parseDurationMs, type EffectiveConfig } from "@kanade/protocol/wire";
import type { PerfSource } from "./perf-source.js";

export { PerfPublisher } from "./perf-publisher.js";

/**
 * Loaded on demand: the Windows source (a long-lived PowerShell helper) is no use on Linux, and the
 * Linux one is plain /proc reading that Windows has no use for.
 */
export async function currentPerfSource(platform: NodeJS.Platform = process.platform): Promise<PerfSource> {
  if (platform === "win32") return (await import("./windows-source.js")).windowsPerfSource();
  return (await import("./linux-source.js")).linuxPerfSource();
}

/** `host_perf_interval` in ms; anything below a second (or unparsable) falls back to the default. */
export function hostPerfIntervalMs(cfg: EffectiveConfig | undefined): number {
  const fallback = parseDurationMs(CONFIG_DEFAULTS.host_perf_interval) ?? 60_000;
  const ms = cfg ? parseDurationMs(cfg.effective.host_perf_interval) : undefined;
  return ms !== undefined && ms >= 1_000 ? ms : fallback;
}
