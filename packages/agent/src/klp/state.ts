/** The agent-wide part of `state.snapshot`: is it online, which version, its health, updates waiting. */
import type { HealthCheck, StateSnapshot } from "@kanade/protocol/klp";

export interface StateSources {
  pcId: string;
  agentVersion: string;
  isConnected(): boolean;
  trustedKeyCount(): number;
  quarantinedVersions(): readonly string[];
  /** The effective `target_version`, if the operators set one. */
  targetVersion(): string | undefined;
}

export function agentState(src: StateSources): Omit<StateSnapshot, "client_version"> {
  const online = src.isConnected();
  const quarantined = src.quarantinedVersions();
  const health: HealthCheck[] = [
    { name: "broker", ok: online, ...(online ? {} : { detail: "cannot reach the management server" }) },
    { name: "command_keys", ok: src.trustedKeyCount() > 0, ...(src.trustedKeyCount() > 0 ? {} : { detail: "not enrolled: no trusted command keys" }) },
    { name: "self_update", ok: quarantined.length === 0, ...(quarantined.length ? { detail: `rolled back: ${quarantined.join(", ")}` } : {}) },
  ];
  const target = src.targetVersion();
  const pending = target && target !== src.agentVersion && !quarantined.includes(target) ? [{ kind: "agent" as const, current: src.agentVersion, target }] : [];
  return { pc_id: src.pcId, online, agent_version: src.agentVersion, health, pending_updates: pending };
}
