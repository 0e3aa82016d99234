/**
 * Command intake: core subscriptions on this agent's command subjects (cheap enough for thousands of
 * agents per process), plus a replay of the newest EXEC message per subject after every (re)connect,
 * because core subscribers miss whatever was published while they were away.
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { commandSchema, isGroupName, STREAMS, subjects, type Command } from "@kanade/protocol";

export interface IntakeDeps {
  nc: NatsConnection;
  jsm: JetStreamManager;
  pcId: string;
  log: Logger;
  onCommand(cmd: Command, subject: string): void;
}

export class Intake {
  private readonly subs = new Map<string, Subscription>();
  private groups: string[] = [];
  private stopped = false;

  constructor(private readonly deps: IntakeDeps) {}

  /** Subscribes, waits until the server has the subscriptions, then replays. */
  async start(groups: readonly string[]): Promise<void> {
    this.subscribe(subjects.commandsPc(this.deps.pcId));
    this.subscribe(subjects.commandsAll());
    this.applyGroups(groups);
    await this.deps.nc.flush();
    await this.replay();
  }

  currentGroups(): readonly string[] {
    return this.groups;
  }

  /** Follows a membership change live; the new group's past commands are not replayed until the next reconnect. */
  setGroups(groups: readonly string[]): void {
    if (this.stopped) return;
    this.applyGroups(groups);
  }

  /** Fetches the newest message of every subscribed subject from EXEC; dedup happens downstream. */
  async replay(): Promise<void> {
    for (const subject of [...this.subs.keys()]) {
      if (this.stopped) return;
      try {
        const stored = await this.deps.jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject });
        if (stored) this.receive(subject, stored.data, "replay");
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
          // The backend has not created EXEC yet: nothing can have been missed, and live delivery works.
          this.deps.log.debug({ subject }, "no EXEC stream yet; nothing to replay");
          return;
        }
        this.deps.log.warn({ err, subject }, "replay of the newest command failed");
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const sub of this.subs.values()) sub.unsubscribe();
    this.subs.clear();
  }

  private applyGroups(groups: readonly string[]): void {
    const valid = [...new Set(groups)].filter((g) => {
      if (isGroupName(g)) return true;
      this.deps.log.warn({ group: g }, "ignoring invalid group name in agent_groups");
      return false;
    });
    const wanted = new Set(valid.map((g) => subjects.commandsGroup(g)));
    for (const old of this.groups.map((g) => subjects.commandsGroup(g))) {
      if (!wanted.has(old)) {
        this.subs.get(old)?.unsubscribe();
        this.subs.delete(old);
      }
    }
    for (const subject of wanted) this.subscribe(subject);
    const before = this.groups.join(",");
    this.groups = valid.sort();
    if (before !== this.groups.join(",")) this.deps.log.info({ groups: this.groups }, "group membership");
  }

  private subscribe(subject: string): void {
    if (this.subs.has(subject)) return;
    const sub = this.deps.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) this.deps.log.warn({ err, subject }, "command subscription error");
        else this.receive(subject, msg.data, "live");
      },
    });
    this.subs.set(subject, sub);
  }

  private receive(subject: string, data: Uint8Array, via: "live" | "replay"): void {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(data));
    } catch (err) {
      this.deps.log.warn({ subject, via, reason: `not JSON: ${(err as Error).message}` }, "dropped malformed command");
      return;
    }
    const parsed = commandSchema.safeParse(json);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      this.deps.log.warn({ subject, via, reason }, "dropped malformed command");
      return;
    }
    this.deps.onCommand(parsed.data, subject);
  }
}
