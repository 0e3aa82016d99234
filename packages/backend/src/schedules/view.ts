/** How a schedule reads to an operator: its rule in one line, and each targeted PC's coverage state. */
import {
  COVERAGE_STATES,
  type CoverageRow,
  type CoverageState,
  type Schedule,
  type ScheduleSummary,
  resolveZone,
} from "@kanade/protocol";
import type { PcFireState } from "./fires-store.js";

export function ruleText(s: Schedule): string {
  const w = s.when;
  const zone = ` (${w.tz === "local" ? `local: ${resolveZone("local")}` : w.tz})`;
  if (w.per_pc !== undefined) return typeof w.per_pc === "string" ? `per PC ${w.per_pc.replaceAll("_", " ")}` : `per PC every ${w.per_pc.every}`;
  if (w.per_target) return `every ${w.per_target.every}`;
  const c = w.calendar!;
  const at = Array.isArray(c.at) ? c.at.join(",") : c.at;
  return (c.date !== undefined ? `${c.date} ${at}` : `${at} ${(c.days ?? ["daily"]).join(",")}`) + zone;
}

export const kindOf = (s: Schedule): ScheduleSummary["kind"] => (s.when.per_pc !== undefined ? "per_pc" : s.when.per_target ? "per_target" : "calendar");

export function coverageState(s: PcFireState | undefined): CoverageState {
  if (!s || s.exec_id === null) return "not_yet_due";
  switch (s.status) {
    case "succeeded":
      return "ok";
    case "skipped":
      return "skipped";
    case null:
      return s.started ? "running" : "pending";
    default:
      return "failed";
  }
}

export function coverageRow(pcId: string, s: PcFireState | undefined, online: boolean | undefined): CoverageRow {
  return {
    pc_id: pcId,
    state: coverageState(s),
    online: online ?? null,
    exec_id: s?.exec_id ?? null,
    fired_at: s?.exec_id ? s.fired_at : null,
    finished_at: s?.finished_at ?? null,
    exit_code: s?.exit_code ?? null,
    version: s?.version ?? null,
  };
}

export function countStates(rows: readonly CoverageRow[]): Record<CoverageState, number> {
  const counts = Object.fromEntries(COVERAGE_STATES.map((k) => [k, 0])) as Record<CoverageState, number>;
  for (const r of rows) counts[r.state]++;
  return counts;
}

/** The newer of a PC's own fire and the whole-target fire that included it. */
export function newer(a: PcFireState | undefined, b: PcFireState | undefined): PcFireState | undefined {
  if (!a || a.exec_id === null) return b ?? a;
  if (!b) return a;
  return a.fired_at >= b.fired_at ? a : b;
}
