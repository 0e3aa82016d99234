/** The perf source for this OS, and the interval the effective config asks for. */
import { CONFIG_DEFAULTS, parseDurationMs, type EffectiveConfig } from "@kanade/protocol";
import { windowsPerfSource } from "../platform/windows-perf.js";
import { linuxPerfSource } from "./linux-source.js";
import type { PerfSource } from "./perf-source.js";

export { PerfPublisher } from "./perf-publisher.js";

export function currentPerfSource(): PerfSource {
  return process.platform === "win32" ? windowsPerfSource() : linuxPerfSource();
}

/** `host_perf_interval` in ms; anything below a second (or unparsable) falls back to the default. */
export function hostPerfIntervalMs(cfg: EffectiveConfig | undefined): number {
  const fallback = parseDurationMs(CONFIG_DEFAULTS.host_perf_interval) ?? 60_000;
  const ms = cfg ? parseDurationMs(cfg.effective.host_perf_interval) : undefined;
  return ms !== undefined && ms >= 1_000 ? ms : fallback;
}
