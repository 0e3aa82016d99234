/** What the OS's own logs say happened on the PC: logons, logoffs, screen locks and shutdowns. */

export type OsEventKind = "user_logon" | "user_logoff" | "user_lock" | "user_unlock" | "os_shutdown";

export interface OsEvent {
  kind: OsEventKind;
  /** ISO time of the event. */
  at: string;
  user?: string;
  /** `wtmp` (Linux `last`) or `eventlog` (Windows). */
  source: string;
  /** What identifies this record in its log, the same on every read (makes the event id stable). */
  key: string;
  message?: string;
}

/** Reads session events at or after `since`; resolves [] where the OS keeps no such log. */
export type SessionEventReader = (since: Date) => Promise<OsEvent[]>;
