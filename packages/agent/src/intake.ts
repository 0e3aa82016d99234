/**
 * Command intake: core subscriptions on this agent's command subjects (cheap enough for thousands of
 * agents per process), plus a replay of the newest EXEC message per subject after every (re)connect,
 * because core subscribers miss whatever was published while they were away. A replayed fleet-wide or
 * group command that was issued before this PC joined that subject is not run (see joined-baselines.ts).
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StoredMsg } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { NoRespondersError, RequestError, TimeoutError } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { commandSchema, isGroupName, STREAMS, subjects, type Command } from "@kanade/protocol/wire";
import { baselineAt, issuedBeforeJoining, type JoinedBaselines } from "./joined-baselines.js";
import { safeJson } from "./safe-json.js";

export interface IntakeDeps {
  nc: NatsConnection;
  jsm: JetStreamManager;
  pcId: string;
  log: Logger;
  baselines: JoinedBaselines;
  /** `raw` is the message exactly as received: what its signature covers. */
  onCommand(cmd: Command, subject: string, raw: Record<string, unknown>): void;
  /** Defaults to `decodeCommand`; the simulator shares one memo of it across its PCs. */
  decode?: (data: Uint8Array) => DecodedCommand;
}

const streamMissing = (err: unknown): boolean => err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
/** A request nobody answered: what direct get on a stream without direct access (or on no stream) gets. */
const unanswered = (err: unknown): boolean =>
  err instanceof TimeoutError || err instanceof NoRespondersError || (err instanceof RequestError && (err.isNoResponders() || err.cause instanceof TimeoutError));

export class Intake {
  private readonly subs = new Map<string, Subscription>();
  private readonly joining = new Set<Promise<void>>();
  /** `<subject> <seq>` of pre-join commands already logged at info; later replays log them at debug. */
  private readonly toldPreJoin = new Set<string>();
  private groups: string[] = [];
  private started = false;
  private stopped = false;
  /**
   * Whether EXEC serves direct get, as far as this agent knows: assumed until a direct get goes unanswered
   * and the stream's config says so (a stream made by an older backend, which the next backend start updates).
   */
  private direct = true;

  constructor(private readonly deps: IntakeDeps) {}

  /**
   * Subscribes, waits until the server has the subscriptions, then replays. `groups` undefined: the
   * membership could not be read (the watcher follows up), so no group is taken as left.
   */
  async start(groups: readonly string[] | undefined): Promise<void> {
    await this.listen(groups);
    await this.replay();
  }

  /** Subscribes to every command subject; resolves once the broker has the subscriptions (live commands arrive). */
  async listen(groups: readonly string[] | undefined): Promise<void> {
    this.subscribe(subjects.commandsPc(this.deps.pcId));
    this.subscribe(subjects.commandsAll());
    this.applyGroups(groups ?? [], groups !== undefined);
    this.started = true;
    await this.deps.nc.flush();
  }

  currentGroups(): readonly string[] {
    return this.groups;
  }

  /**
   * Follows a membership change live. A group joined now gets its baseline at once; its past commands
   * are not replayed, and one issued from now on runs (live, or on the next replay if missed).
   */
  setGroups(groups: readonly string[]): void {
    if (this.stopped) return;
    this.applyGroups(groups, true);
  }

  /**
   * Fetches the newest message of every subscribed subject from EXEC; dedup happens downstream. No request
   * about the stream comes first while direct get works: a fleet reconnecting at once would otherwise send
   * the broker one stream-info request per PC. Only an agent that met a stream without direct get asks again
   * whether it has been updated.
   */
  async replay(): Promise<void> {
    if (!this.direct) {
      try {
        this.direct = (await this.deps.jsm.streams.info(STREAMS.EXEC)).config.allow_direct === true;
      } catch (err) {
        // A missing stream: the stream API says so again below.
        if (!streamMissing(err)) this.deps.log.debug({ err }, "could not read EXEC's config; keeping the read mode last seen");
      }
    }
    for (const subject of [...this.subs.keys()]) {
      if (this.stopped) return;
      let stored: StoredMsg | null;
      try {
        stored = await this.newestCommand(subject);
      } catch (err) {
        if (streamMissing(err)) {
          // The backend has not created EXEC yet: nothing can have been missed, and live delivery works.
          // Every subject is joined before any command exists.
          for (const s of this.subs.keys()) if (this.isShared(s)) this.deps.baselines.setIfAbsent(s, { seq: 0 });
          this.deps.log.debug({ subject }, "no EXEC stream yet; nothing to replay");
          return;
        }
        this.deps.log.warn({ err, subject }, "replay of the newest command failed");
        continue;
      }
      if (this.isShared(subject) && !this.issuedSinceJoining(subject, stored)) continue;
      if (stored) this.receive(subject, stored.data, "replay");
    }
  }

  /** Resolves once baselines being read for newly joined groups are recorded. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.joining]);
  }

  stop(): void {
    this.stopped = true;
    for (const sub of this.subs.values()) sub.unsubscribe();
    this.subs.clear();
  }

  /** commands.all and commands.group.<g>: shared by PCs that join and leave; commands.pc.<self> is not. */
  private isShared(subject: string): boolean {
    return subject !== subjects.commandsPc(this.deps.pcId);
  }

  /**
   * For a shared subject: true when the stored command may run, i.e. it was issued after this PC
   * joined. With no baseline yet (the first subscription ever), the newest command marks the join.
   */
  private issuedSinceJoining(subject: string, stored: StoredMsg | null): boolean {
    const { baselines, log } = this.deps;
    const baseline = baselines.get(subject);
    if (!baseline) {
      baselines.setIfAbsent(subject, baselineAt(stored));
      if (stored) this.tellPreJoin(subject, stored);
      return false;
    }
    if (!stored || !issuedBeforeJoining(stored, baseline)) return true;
    this.tellPreJoin(subject, stored);
    log.trace({ subject, seq: stored.seq, joined_seq: baseline.seq }, "pre-join command skipped");
    return false;
  }

  private tellPreJoin(subject: string, stored: StoredMsg): void {
    const key = `${subject} ${stored.seq}`;
    const first = !this.toldPreJoin.has(key);
    this.toldPreJoin.add(key);
    const cmd = commandSchema.safeParse(safeJson(stored.data));
    const ids = cmd.success ? { exec_id: cmd.data.exec_id, job_id: cmd.data.job_id, issued_at: cmd.data.issued_at } : {};
    (first ? this.deps.log.info.bind(this.deps.log) : this.deps.log.debug.bind(this.deps.log))(
      { subject, seq: stored.seq, stored_at: stored.time.toISOString(), ...ids },
      "not running a command issued before this PC joined its subject",
    );
  }

  /**
   * The newest EXEC message on `subject`. Direct get names the subject in the request subject, so a broker
   * that scopes agents lets each read only its own subjects. Nobody answers a direct get where the stream
   * does not allow it, or does not exist: the stream API tells those apart, and reads the message instead.
   */
  private async newestCommand(subject: string): Promise<StoredMsg | null> {
    const { jsm } = this.deps;
    if (this.direct) {
      try {
        return await jsm.direct.getMessage(STREAMS.EXEC, { last_by_subj: subject });
      } catch (err) {
        if (!unanswered(err)) throw err;
        // Throws "stream not found" for a missing stream; a stream that does allow direct get was only slow.
        if ((await jsm.streams.info(STREAMS.EXEC)).config.allow_direct === true) throw err;
        this.direct = false;
        this.deps.log.info("EXEC serves no direct get (made by an older backend): reading it through the stream API");
      }
    }
    return jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject });
  }

  /** A group joined while running: its baseline is the newest command on it right now. */
  private recordJoin(subject: string): void {
    const { baselines, log } = this.deps;
    if (baselines.get(subject)) return;
    const task = this.newestCommand(subject)
      .then(
        (stored) => void baselines.setIfAbsent(subject, baselineAt(stored)),
        (err: unknown) => {
          if (streamMissing(err)) baselines.setIfAbsent(subject, { seq: 0 });
          // The next replay records it instead (as of then).
          else log.warn({ err, subject }, "could not read the newest command of a joined group");
        },
      )
      .finally(() => this.joining.delete(task));
    this.joining.add(task);
  }

  /** `authoritative`: `groups` is the membership as read, so baselines of other groups are forgotten. */
  private applyGroups(groups: readonly string[], authoritative: boolean): void {
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
    if (authoritative) this.deps.baselines.prune(wanted, (s) => s !== subjects.commandsAll() && s !== subjects.commandsPc(this.deps.pcId));
    for (const subject of wanted) {
      if (this.subs.has(subject)) continue;
      this.subscribe(subject);
      if (this.started) this.recordJoin(subject);
    }
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
    const d = (this.deps.decode ?? decodeCommand)(data);
    if (!d.ok) {
      this.deps.log.warn({ subject, via, reason: d.reason }, "dropped malformed command");
      return;
    }
    this.deps.onCommand(d.cmd, subject, d.raw);
  }
}

/** A command as received: parsed and validated, with the message exactly as sent (what its signature covers). */
export type DecodedCommand = { ok: true; cmd: Command; raw: Record<string, unknown> } | { ok: false; reason: string };

/** JSON, then the Command schema. Pure: the same bytes always decode the same way. */
export function decodeCommand(data: Uint8Array): DecodedCommand {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
  }
  return { ok: true, cmd: parsed.data, raw: json as Record<string, unknown> };
}
