/** Heartbeat content (SPEC §4): who this agent is and how much it costs its host. */
import { hostname, release, uptime } from "node:os";
import type { Heartbeat } from "@kanade/protocol/wire";
import { AGENT_VERSION } from "./version.js";

export function osFamily(platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32") return "windows";
  if (platform === "darwin") return "macos";
  return platform;
}

/** CPU % of this process since the previous sample (100 = one core busy). */
export class CpuSampler {
  private last = process.cpuUsage();
  private lastAt = process.hrtime.bigint();

  sample(): number {
    const usage = process.cpuUsage();
    const at = process.hrtime.bigint();
    const cpuMicros = usage.user - this.last.user + (usage.system - this.last.system);
    const wallMicros = Number(at - this.lastAt) / 1000;
    this.last = usage;
    this.lastAt = at;
    if (wallMicros <= 0) return 0;
    return Math.max(0, Math.round((cpuMicros / wallMicros) * 1000) / 10);
  }
}

export function buildHeartbeat(input: {
  pcId: string;
  groups: readonly string[];
  intervalMs: number;
  cpuPct: number;
  now: Date;
  quarantinedVersions?: readonly string[];
  clientVersion?: string | undefined;
}): Heartbeat {
  const bootMs = input.now.getTime() - uptime() * 1000;
  return {
    pc_id: input.pcId,
    at: input.now.toISOString(),
    agent_version: AGENT_VERSION,
    hostname: hostname(),
    os_family: osFamily(),
    os_version: release(),
    boot_time: new Date(bootMs).toISOString(),
    agent_rss_bytes: process.memoryUsage.rss(),
    agent_cpu_pct: input.cpuPct,
    groups: [...input.groups],
    heartbeat_interval_secs: Math.max(1, Math.round(input.intervalMs / 1000)),
    ...(input.quarantinedVersions?.length ? { quarantined_versions: [...input.quarantinedVersions] } : {}),
    ...(input.clientVersion ? { client_version: input.clientVersion } : {}),
  };
}
