/**
 * One agent identity on one NATS connection: intake, kill, ping, runner, outbox and connection-state
 * handling. The real agent runs one; the simulator runs thousands in one process with shared views.
 */
import { LiveOutput, serveRunTail } from "./live-output.js";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { join } from "node:path";
import { killMessageSchema, subjects, type AgentEvent, type Command, type CommandKey, type Heartbeat } from "@kanade/protocol/wire";
import { CommandRunner, type RunEvent, type ScriptStateSource } from "./command-runner.js";
import type { Executor } from "./exec/executor.js";
import { HandledStore } from "./handled-store.js";
import { buildHeartbeat, type HostFacts } from "./heartbeat.js";
import { Intake, type DecodedCommand } from "./intake.js";
import { reportInterruptedRuns } from "./interrupted-runs.js";
import { JoinedBaselines } from "./joined-baselines.js";
import { Outbox } from "./outbox.js";
import { RunningMarkers } from "./running-markers.js";
import { safeJson } from "./safe-json.js";
import { killRefusalOf, refusalOf, type SignatureCheck } from "./trust/verify.js";

/** How long a stopping agent waits for its last events to reach the broker. */
const STOP_DRAIN_MS = 3_000;

const waitAtMost = (p: Promise<void>, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
};

export interface AgentNodeDeps {
  pcId: string;
  nc: NatsConnection;
  log: Logger;
  executor: Executor;
  /** Root of this agent's state; undefined keeps handled ids and the outbox in memory (simulator). */
  dataDir: string | undefined;
  scriptState: ScriptStateSource & { markDisconnected(): void };
  heartbeatIntervalMs: number;
  /** CPU % to report; shared by every node of a process. */
  cpuPct(): number;
  /** Host facts for the heartbeat; read from the OS at each heartbeat when absent (the simulator shares one read). */
  hostFacts?: () => HostFacts;
  /** Answer `agents.<pc>.ping` (the simulator saves the subscription). */
  ping: boolean;
  now?: () => number;
  random?: () => number;
  /** Agent versions that failed to start here and were rolled back (self-update). */
  quarantinedVersions?: () => readonly string[];
  /** The kanade-client version seen in the newest KLP handshake, for the heartbeat. */
  clientVersion?: () => string | undefined;
  /** The command-signing keys this agent trusts now (a command or kill that does not verify is refused). */
  trustedKeys(): readonly CommandKey[];
  /** How command signatures are checked; the simulator shares one memo across its nodes. */
  verifySignature?: SignatureCheck;
  /** How received command bytes are decoded; the simulator shares one memo across its nodes. */
  decodeCommand?: (data: Uint8Array) => DecodedCommand;
  /** Told about each run's steps (the local protocol). */
  onRun?: (event: RunEvent) => void;
  /** Told each chunk a run writes (the local protocol). */
  onRunOutput?: (execId: string, stream: "stdout" | "stderr", chunk: Buffer) => void;
}

export class AgentNode {
  readonly pcId: string;
  private readonly js: JetStreamClient;
  private readonly intake: Intake;
  private readonly runner: CommandRunner;
  private readonly outbox: Outbox;
  private readonly markers: RunningMarkers;
  private readonly subs: Subscription[] = [];
  /** The newest output of each running script, read by `agents.<pc>.tail` (nothing is sent unless asked). */
  private readonly live = new LiveOutput();
  private connected = true;
  private stopped = false;

  /** checkAPI off: thousands of simulated nodes must not each round-trip to ask if JetStream exists. */
  static async create(deps: AgentNodeDeps): Promise<AgentNode> {
    return new AgentNode(deps, await jetstreamManager(deps.nc, { checkAPI: false }));
  }

  private constructor(private readonly deps: AgentNodeDeps, jsm: JetStreamManager) {
    this.pcId = deps.pcId;
    const { nc, log, dataDir } = deps;
    this.js = jetstream(nc);
    const isConnected = (): boolean => this.isConnected();
    this.outbox = new Outbox({ dir: dataDir && join(dataDir, "outbox"), js: this.js, log, isConnected, maxPayload: () => nc.info?.max_payload });
    this.markers = new RunningMarkers(dataDir && join(dataDir, "running"), log);
    this.runner = new CommandRunner({
      pcId: deps.pcId,
      publish: (subject, body) => nc.publish(subject, body),
      log,
      executor: deps.executor,
      handled: new HandledStore(dataDir && join(dataDir, "state", "handled.json"), log),
      outbox: this.outbox,
      markers: this.markers,
      scriptState: deps.scriptState,
      isConnected,
      now: deps.now ?? Date.now,
      random: deps.random ?? Math.random,
      ...(this.outbox.output ? { outputDir: this.outbox.output.dirFor.bind(this.outbox.output) } : {}),
      liveOutput: this.live,
      ...(deps.onRun ? { onRun: deps.onRun } : {}),
      ...(deps.onRunOutput ? { onRunOutput: deps.onRunOutput } : {}),
    });
    this.intake = new Intake({
      nc,
      jsm,
      pcId: deps.pcId,
      log,
      baselines: new JoinedBaselines(dataDir && join(dataDir, "state", "joined.json"), log),
      ...(deps.decodeCommand ? { decode: deps.decodeCommand } : {}),
      onCommand: (cmd, subject, raw) => {
        const now = (deps.now ?? Date.now)();
        const refusal = refusalOf(raw, subject, { keys: deps.trustedKeys(), pcId: deps.pcId, now, ...(deps.verifySignature ? { verify: deps.verifySignature } : {}) });
        if (refusal) this.runner.refuse(cmd, subject, refusal);
        else this.runner.handle(cmd, subject);
      },
    });
  }

  /**
   * Resolves when subscriptions are live, the first heartbeat went out and the first replay ran.
   * `groups` undefined: membership unknown for now (the agent_groups watcher will say).
   */
  async start(groups: readonly string[] | undefined): Promise<void> {
    const { nc, pcId } = this.deps;
    // Before intake: no new run may stage or spawn while the last process's leftovers are cleaned up.
    await reportInterruptedRuns({ pcId, markers: this.markers, outbox: this.outbox, executor: this.deps.executor, log: this.deps.log, now: this.deps.now ?? Date.now });
    this.subs.push(
      nc.subscribe(subjects.killWildcard(), {
        callback: (err, msg) => (err ? this.deps.log.warn({ err }, "kill subscription error") : this.onKill(msg.subject, msg.data)),
      }),
    );
    if (this.deps.ping) {
      this.subs.push(
        nc.subscribe(subjects.agentPing(pcId), {
          callback: (err, msg) => {
            if (err) this.deps.log.warn({ err }, "ping subscription error");
            else msg.respond(JSON.stringify(this.heartbeat()));
          },
        }),
        // Beside ping: a node that answers requests also answers live tails of its runs.
        serveRunTail({ nc, pcId, live: this.live, log: this.deps.log }),
      );
    }
    void this.followStatus();
    // Online as soon as live commands can arrive; the replay of what was missed follows. It reads EXEC through the
    // JetStream API, which a broker reconnecting tens of thousands of PCs answers slowly, and the heartbeat need
    // not wait for it.
    await this.intake.listen(groups);
    this.sendHeartbeat();
    await this.intake.replay();
    void this.outbox.drain();
  }

  /** Whether a fire of an agent-side schedule would run now (not while stopping or draining for an update). */
  acceptsScheduled(): boolean {
    return !this.stopped && this.runner.accepting();
  }

  /** A fire of an agent-side schedule: runs like a received command (dedup, gates, jitter, outbox). */
  runScheduled(cmd: Command, origin: string): void {
    this.runner.handle(cmd, origin);
  }

  isConnected(): boolean {
    return this.connected && !this.deps.nc.isClosed();
  }

  setGroups(groups: readonly string[]): void {
    this.intake.setGroups(groups);
  }

  groups(): readonly string[] {
    return this.intake.currentGroups();
  }

  /** The interval heartbeats are sent at, reported in each heartbeat so the backend can judge "online". */
  setHeartbeatInterval(ms: number): void {
    this.deps.heartbeatIntervalMs = ms;
  }

  heartbeat(): Heartbeat {
    return buildHeartbeat({
      pcId: this.deps.pcId,
      groups: this.intake.currentGroups(),
      intervalMs: this.deps.heartbeatIntervalMs,
      cpuPct: this.deps.cpuPct(),
      now: new Date((this.deps.now ?? Date.now)()),
      ...(this.deps.quarantinedVersions ? { quarantinedVersions: this.deps.quarantinedVersions() } : {}),
      ...(this.deps.clientVersion ? { clientVersion: this.deps.clientVersion() } : {}),
      ...(this.deps.hostFacts ? { host: this.deps.hostFacts() } : {}),
    });
  }

  sendHeartbeat(): void {
    if (this.stopped || !this.connected) return;
    this.deps.nc.publish(subjects.heartbeat(this.deps.pcId), JSON.stringify(this.heartbeat()));
  }

  /**
   * Before a restart into a new build: stops intake and lets the runner finish what it has (see
   * CommandRunner.drain). Heartbeats, kill and ping keep working meanwhile; `stop` follows.
   */
  drain(timeoutMs: number, skipReason: string): Promise<boolean> {
    this.intake.stop();
    return this.runner.drain(timeoutMs, skipReason);
  }

  /** A timeline event: made durable now, published in order with results. */
  putEvent(event: AgentEvent): void {
    this.outbox.putEvent(event);
    if (!this.stopped) void this.outbox.drain();
  }

  /**
   * Stops intake, kills in-flight trees (their markers stay for the next start), stops retries. `lastEvent`
   * (agent_stopped) goes into the outbox and out with what is queued, waiting at most a moment for the broker.
   */
  async stop(lastEvent?: AgentEvent): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.intake.stop();
    for (const s of this.subs) s.unsubscribe();
    await this.intake.idle();
    await this.runner.stop();
    if (lastEvent) {
      this.outbox.putEvent(lastEvent);
      // What is not out by then stays on disk and goes out after the next start.
      if (this.isConnected()) await waitAtMost(this.outbox.drain(), STOP_DRAIN_MS);
    }
    this.outbox.stop();
  }

  private onKill(subject: string, data: Uint8Array): void {
    const execId = subject.slice(subject.indexOf(".") + 1);
    const raw = safeJson(data);
    const parsed = killMessageSchema.safeParse(raw);
    if (!parsed.success || parsed.data.exec_id !== execId) {
      this.deps.log.warn({ subject, exec_id: execId }, "dropped malformed kill message");
      return;
    }
    const refusal = killRefusalOf(raw as Record<string, unknown>, this.deps.trustedKeys(), (this.deps.now ?? Date.now)());
    if (refusal) {
      this.deps.log.warn({ subject, exec_id: execId, reason: refusal }, "ignored a kill message that does not verify");
      return;
    }
    if (this.runner.kill(execId)) this.deps.log.info({ exec_id: execId }, "kill requested; ending the run");
  }

  private async followStatus(): Promise<void> {
    const { nc, log } = this.deps;
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        this.connected = false;
        this.deps.scriptState.markDisconnected();
        log.warn({ server: s.server }, "disconnected from NATS");
      } else if (s.type === "reconnect") {
        this.connected = true;
        log.info({ server: s.server }, "reconnected to NATS");
        if (this.stopped) continue;
        this.sendHeartbeat();
        void this.intake.replay();
        void this.outbox.drain();
      }
    }
  }
}
