/** API calls for layered config and host perf, on top of the shared ApiClient. */
import type { ConfigScope, EffectiveConfig, FleetPerfSort, HostPerf } from "@kanade/protocol";
import type { ApiClient } from "./client.js";

export type ScopeTarget = { kind: "global" } | { kind: "group"; name: string } | { kind: "pc"; name: string };
export interface ScopeBody {
  scope: string;
  config: ConfigScope;
}
export type EffectiveBody = EffectiveConfig & { pc_id: string; groups: string[] };

const enc = encodeURIComponent;

export function scopePath(t: ScopeTarget): string {
  if (t.kind === "group") return `/api/groups/${enc(t.name)}/config`;
  if (t.kind === "pc") return `/api/pcs/${enc(t.name)}/config`;
  return "/api/config";
}

export const getScope = (c: ApiClient, t: ScopeTarget): Promise<ScopeBody> => c.request("GET", scopePath(t));
/** JSON merge patch: a field set to null is removed from the scope. */
export const patchScope = (c: ApiClient, t: ScopeTarget, patch: Record<string, unknown>): Promise<ScopeBody> =>
  c.request("PATCH", scopePath(t), { json: patch });
export const clearScope = (c: ApiClient, t: ScopeTarget): Promise<ScopeBody> => c.request("DELETE", scopePath(t));
export const effectiveConfig = (c: ApiClient, pc: string): Promise<EffectiveBody> =>
  c.request("GET", `/api/agents/${enc(pc)}/effective_config`);
export const fleetPerf = (c: ApiClient, sort: FleetPerfSort, limit: number): Promise<{ items: HostPerf[] }> =>
  c.request("GET", "/api/perf/fleet", { query: { sort, limit } });
