/**
 * The one rule for "online": a heartbeat within 3× the interval the agent reported (30 s assumed when it
 * reported none). isOnline, the presence tracker and the SQL counts all judge by it.
 */
export const DEFAULT_HEARTBEAT_SECS = 30;

/** Stands for "no interval reported" where SQL compares intervals (reported ones are positive). */
export const NO_INTERVAL = -1;

/** How long after its last heartbeat an agent still counts as online. */
export const onlineWindowMs = (intervalSecs: number | null | undefined): number =>
  3 * (intervalSecs === null || intervalSecs === undefined || intervalSecs === NO_INTERVAL ? DEFAULT_HEARTBEAT_SECS : intervalSecs) * 1000;

/**
 * The oldest `last_seen` (normalized ISO, so it compares as text) still online at `now`, for agents of one
 * reported interval (NO_INTERVAL for none, as SQL's COALESCE gives it).
 */
export const onlineCutoff = (intervalSecs: number, now: Date): string => new Date(now.getTime() - onlineWindowMs(intervalSecs)).toISOString();
