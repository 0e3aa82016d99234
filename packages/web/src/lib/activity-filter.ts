/** The Activity page's state filter: read from the URL (`/activity?state=pending_approval`), sent as the list's query. */
import { listExecutionsQuery, type CallInput } from "@kanade/protocol";

/**
 * States the list can be narrowed to: the stored states the backend filters on, read from the route's own
 * query schema. `completed` is computed on read, so completed executions are found under `running`.
 */
export const ACTIVITY_STATES = listExecutionsQuery.shape.state.unwrap().options;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

/** `s` if it is a state the list can be narrowed to, else null (every execution). */
export const asActivityState = (s: string | null): ActivityState | null =>
  (ACTIVITY_STATES as readonly string[]).includes(s ?? "") ? (s as ActivityState) : null;

export const activityState = (search: URLSearchParams): ActivityState | null => asActivityState(search.get("state"));

/** The `listExecutions` input for one page of the list: 50 at a time, filtered, from `cursor` on. */
export const executionsInput = (state: ActivityState | null, cursor?: string | null): CallInput<"listExecutions"> => ({
  query: { limit: 50, ...(state ? { state } : {}), ...(cursor ? { cursor } : {}) },
});

/** The page's link for a filter (null = every execution). */
export const activityLink = (state: ActivityState | null): string => (state ? `/activity?state=${state}` : "/activity");

/** "3", or "100+" when the backend had more than one page of them. */
export const listFigure = (list: { items: readonly unknown[]; next_cursor: string | null }): string =>
  `${list.items.length}${list.next_cursor ? "+" : ""}`;
