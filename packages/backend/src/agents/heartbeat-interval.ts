/** The heartbeat interval assumed for an agent that reported none, and how SQL spells "none reported". */
export const DEFAULT_HEARTBEAT_SECS = 30;

/** Stands for "no interval reported" where SQL compares intervals (reported ones are positive). */
export const NO_INTERVAL = -1;
