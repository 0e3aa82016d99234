/**
 * The agent's own timeline events: started/stopped, the OS boot (once per boot time), and what the OS's
 * session log says (logons, logoffs, locks, shutdowns), read every `pollMs`. Each goes into the durable
 * outbox; ids are stable (a boot time, a log record), and `state/timeline.json` remembers what was sent,
 * so a restart neither loses nor repeats one.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { uptime } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import type { AgentEvent } from "@kanade/protocol/wire";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";
import type { SessionEventReader } from "../platform/session-events.js";
import { stableEventId } from "./event-id.js";

/** Every five minutes: on Windows each read starts PowerShell, which an idle agent should not do every minute. */
export const SESSION_POLL_MS = 5 * 60_000;
/** Log records can be written a little after their time: each read looks back this far again. */
const OVERLAP_MS = 10 * 60_000;
/** The first read on a PC looks back a day. */
const FIRST_LOOKBACK_MS = 24 * 3_600_000;
/** Two boot times closer than this are the same boot (the uptime clock drifts against the wall clock). */
const SAME_BOOT_MS = 60_000;

const stateSchema = z.object({
  boot_time: z.string().optional(),
  sessions_since: z.string().optional(),
  recent: z.array(z.string()).default([]),
});
type TimelineState = z.infer<typeof stateSchema>;

export interface TimelineDeps {
  pcId: string;
  /** `<data_dir>/state`; undefined keeps the state in memory (the simulator). */
  stateDir: string | undefined;
  put(event: AgentEvent): void;
  sessionEvents?: SessionEventReader;
  log: Logger;
  now?: () => Date;
  bootTime?: () => Date;
  pollMs?: number;
}

export class AgentTimeline {
  private state: TimelineState;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly now: () => Date;

  constructor(private readonly deps: TimelineDeps) {
    this.now = deps.now ?? ((): Date => new Date());
    if (deps.stateDir) mkdirPrivate(deps.stateDir);
    this.state = this.load();
  }

  /** The agent started: `agent_started`, and `os_boot` when the PC booted since the last start. */
  started(agentVersion: string): void {
    const boot = (this.deps.bootTime ?? currentBootTime)();
    const known = this.state.boot_time ? Date.parse(this.state.boot_time) : NaN;
    if (Number.isNaN(known) || Math.abs(known - boot.getTime()) > SAME_BOOT_MS) {
      const at = boot.toISOString();
      this.emit({ event_id: stableEventId(this.deps.pcId, "os_boot", at.slice(0, 16)), kind: "os_boot", at, source: "agent" });
      this.state.boot_time = at;
      this.save();
    }
    this.emit({ event_id: randomUUID(), kind: "agent_started", at: this.now().toISOString(), source: "agent", message: `agent ${agentVersion}` });
  }

  /** `agent_stopped`, for the caller to queue last (AgentNode.stop). */
  stoppedEvent(): AgentEvent {
    return { event_id: randomUUID(), pc_id: this.deps.pcId, kind: "agent_stopped", at: this.now().toISOString(), source: "agent" };
  }

  /** Starts reading the session log now and every pollMs. */
  start(): void {
    if (!this.deps.sessionEvents) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.deps.pollMs ?? SESSION_POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** One read of the session log; concurrent calls share it. */
  poll(): Promise<void> {
    this.polling ??= this.readSessions().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async readSessions(): Promise<void> {
    const read = this.deps.sessionEvents;
    if (!read) return;
    const now = this.now();
    const last = this.state.sessions_since ? Date.parse(this.state.sessions_since) : now.getTime() - FIRST_LOOKBACK_MS;
    const since = new Date(last - OVERLAP_MS);
    let events;
    try {
      events = await read(since);
    } catch (err) {
      this.deps.log.warn({ err }, "cannot read the OS session log; trying again later");
      return;
    }
    const recent = new Set(this.state.recent);
    const keep: string[] = [];
    for (const e of events) {
      const id = stableEventId(this.deps.pcId, e.source, e.key);
      if (Date.parse(e.at) >= now.getTime() - 2 * OVERLAP_MS) keep.push(id);
      if (recent.has(id)) continue;
      this.emit({ event_id: id, kind: e.kind, at: e.at, source: e.source, ...(e.user ? { user: e.user } : {}), ...(e.message ? { message: e.message } : {}) });
    }
    this.state.sessions_since = now.toISOString();
    this.state.recent = keep;
    this.save();
  }

  private emit(e: Omit<AgentEvent, "pc_id">): void {
    this.deps.put({ ...e, pc_id: this.deps.pcId });
  }

  private get path(): string | undefined {
    return this.deps.stateDir && join(this.deps.stateDir, "timeline.json");
  }

  private load(): TimelineState {
    const path = this.path;
    if (!path) return { recent: [] };
    try {
      return stateSchema.parse(JSON.parse(readFileSync(path, "utf8")));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.deps.log.warn({ err, path }, "timeline state unreadable; starting afresh");
      return { recent: [] };
    }
  }

  private save(): void {
    const path = this.path;
    if (!path) return;
    try {
      writeFileAtomicSync(path, JSON.stringify(this.state));
    } catch (err) {
      this.deps.log.warn({ err, path }, "cannot save timeline state; events may be sent again (the backend stores each once)");
    }
  }
}

/** When the OS booted: `btime` of /proc/stat on Linux (exact), otherwise now minus the uptime. */
export function currentBootTime(procStat = "/proc/stat"): Date {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync(procStat, "utf8"));
    if (m) return new Date(Number(m[1]) * 1000);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return new Date(Date.now() - uptime() * 1000);
}
