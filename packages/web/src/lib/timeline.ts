/** Runs and events of one PC, merged newest first for the agent detail page's timeline. */
import type { ResultStatus, TimelineEvent } from "@kanade/protocol";

export interface RunEntry {
  result_id: string;
  job_id: string;
  status: ResultStatus;
  finished_at: string;
}

export type TimelineEntry = { type: "event"; at: string; event: TimelineEvent } | { type: "run"; at: string; run: RunEntry };

export function mergeTimeline(events: readonly TimelineEvent[], runs: readonly RunEntry[], limit: number): TimelineEntry[] {
  const all: TimelineEntry[] = [
    ...events.map((event) => ({ type: "event" as const, at: event.at, event })),
    ...runs.map((run) => ({ type: "run" as const, at: run.finished_at, run })),
  ];
  return all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

/** One line about an event: who, what the script said. */
export function eventSummary(e: TimelineEvent): string {
  return [e.user, e.name, e.message, e.data ? JSON.stringify(e.data) : undefined].filter(Boolean).join(" · ");
}
