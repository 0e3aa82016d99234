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

/** What a heartbeat says about the host and this process. */
export interface HostFacts {
  hostname: string;
  osVersion: string;
  bootTime: string;
  rssBytes: number;
}

/** Reads the host facts from the OS (four calls into it). */
export function readHostFacts(now: Date): HostFacts {
  return {
    hostname: hostname(),
    osVersion: release(),
    bootTime: new Date(now.getTime() - uptime() * 1000).toISOString(),
    rssBytes: process.memoryUsage.rss(),
  };
}

export function buildHeartbeat(input: {
  pcId: string;
  groups: readonly string[];
  intervalMs: number;
  cpuPct: number;
  now: Date;
  quarantinedVersions?: readonly string[];
  clientVersion?: string | undefined;
  /** Read from the OS when absent; the simulator reads them once a second for all its PCs. */
  host?: HostFacts;
}): Heartbeat {
  const host = input.host ?? readHostFacts(input.now);
  return {
    pc_id: input.pcId,
    at: input.now.toISOString(),
    agent_version: AGENT_VERSION,
    hostname: host.hostname,
    os_family: osFamily(),
    os_version: host.osVersion,
    boot_time: host.bootTime,
    agent_rss_bytes: host.rssBytes,
    agent_cpu_pct: input.cpuPct,
    groups: [...input.groups],
    heartbeat_interval_secs: Math.max(1, Math.round(input.intervalMs / 1000)),
    ...(input.quarantinedVersions?.length ? { quarantined_versions: [...input.quarantinedVersions] } : {}),
    ...(input.clientVersion ? { client_version: input.clientVersion } : {}),
  };
}
