/** The Activity page's state filter: read from the URL (`/activity?state=pending_approval`), sent to the API. */
import { query } from "../api/client.js";

/** States the list can be narrowed to (the backend filters stored states; "completed" is computed, so not here). */
export const ACTIVITY_STATES = ["pending_approval", "rejected", "expired"] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

export function activityState(search: URLSearchParams): ActivityState | null {
  const s = search.get("state");
  return (ACTIVITY_STATES as readonly string[]).includes(s ?? "") ? (s as ActivityState) : null;
}

export const executionsPath = (state: ActivityState | null, cursor?: string | null): string =>
  `/api/executions${query({ limit: 50, state, cursor })}`;

/** "3", or "100+" when the backend had more than one page of them. */
export const listFigure = (list: { items: readonly unknown[]; next_cursor: string | null }): string =>
  `${list.items.length}${list.next_cursor ? "+" : ""}`;
