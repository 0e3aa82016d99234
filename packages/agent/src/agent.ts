/** A real agent: one connection, its own KV views, real processes, state under `data_dir`. */
import { join } from "node:path";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { jetstream } from "@nats-io/jetstream";
import { agentGroupsSchema, BUCKETS, KanadeError, parseDurationMs, type CommandKey, type EffectiveConfig } from "@kanade/protocol/wire";
import { AgentNode } from "./agent-node.js";
import { AgentTimeline } from "./events/timeline.js";
import type { AgentConfig } from "./config.js";
import { brokerRefuses, connectAgent, type AgentCredential } from "./connection.js";
import { EffectiveConfigView } from "./effective-config.js";
import { processExecutor } from "./exec/process-executor.js";
import { CpuSampler } from "./heartbeat.js";
import { BucketWatcher, DIRECT } from "./kv-watch.js";
import type { Collector } from "./inventory/collect.js";
import { inProcessCollector } from "./inventory/collectors.js";
import { InventoryReporter, type InventorySettings } from "./inventory/reporter.js";
import { createLogger } from "./log.js";
import { LogRing } from "./log-ring.js";
import { serveLogTail } from "./log-tail.js";
import { PerfPublisher, currentPerfSource, hostPerfIntervalMs } from "./perf/index.js";
import { forgetJwt, obtainCredential } from "./enroll/credential.js";
import { agentSeedStore, currentPlatform } from "./platform/index.js";
import { tightenTree } from "./private-files.js";
import { ScriptObjectCache } from "./script-objects.js";
import { ScriptStateView } from "./script-state.js";
import { quarantinedVersions } from "./self-update/state.js";
import { SelfUpdater } from "./self-update/updater.js";
import { agentSchedules } from "./schedules/index.js";
import { Ticker } from "./ticker.js";
import { watchCommandKeys } from "./trust/key-set-watch.js";
import { TrustStore } from "./trust/trust-store.js";
import { AGENT_VERSION } from "./version.js";
import { RunRegistry, startKlp, type KlpServer } from "./klp/index.js";
import { NoticeDesk } from "./notices/index.js";

/** How long startup waits for the revoke/pin buckets before replaying queued commands. */
const SCRIPT_STATE_WAIT_MS = 5_000;

export interface RunningAgent {
  readonly pcId: string;
  /**
   * Stops intake and heartbeats, hard-kills in-flight process trees WITHOUT reporting them (their
   * running markers stay, so the next start with the same data dir reports them as `error`), then
   * drains and closes the connection.
   */
  stop(): Promise<void>;
  /**
   * Before exiting for an update: takes no more commands, reports runs still in their jitter sleep as
   * `skipped` (`skipReason`) and waits up to `timeoutMs` for running scripts. True when none is left.
   */
  drain(timeoutMs: number, skipReason: string): Promise<boolean>;
}

export interface SelfUpdateOptions {
  /** The executable the service manager starts (see self-update/exe.ts). */
  exePath: string;
  /** After a verified swap: drain and stop the agent, then exit 64 so the new build is started. */
  onSwapped(version: string): void;
}

export interface StartAgentDeps {
  log?: Logger;
  /** Where `log` also writes, so `kanade logs` can read it; made here when the logger is. */
  logRing?: LogRing;
  /**
   * Built-in inventory collector: the program runs it in a child process (childProcessCollector);
   * the default collects in this process; tests substitute a fake.
   */
  collectInventory?: Collector;
  /** Inventory schedule; defaults to the layered config's inventory_* fields. */
  inventorySettings?: () => InventorySettings;
  /** `random` (0..1) picks the jitter sleep; tests pass a fixed one. */
  random?: () => number;
  /** Set when this process can replace its own executable (see self-update/exe.ts). */
  selfUpdate?: SelfUpdateOptions;
}

export async function startAgent(config: AgentConfig, deps: StartAgentDeps = {}): Promise<RunningAgent> {
  const ring = deps.logRing ?? new LogRing();
  const log = (deps.log ?? createLogger(config.logLevel, {}, { ring })).child({ pc_id: config.pcId });
  // node_flags: the Node/V8 flags this process runs with (the single executable's are baked in; see node-flags.json).
  log.info({ nats_url: config.natsUrl, data_dir: config.dataDir, node_flags: process.execArgv }, "agent starting");
  securePrivateDir(config.dataDir, log);
  const trust = new TrustStore(join(config.dataDir, "state", "command-keys.json"), config.commandKeys ?? [], log);
  const credential = await brokerCredential(config, trust, log);
  const nc = await connectAgent({ name: config.pcId, ...config, ...(credential ? { credential } : {}) });
  // The view needs the node's connection state, and the node needs the view.
  const ref: { node?: AgentNode } = {};
  const scriptState = new ScriptStateView({ nc, log, isConnected: () => ref.node?.isConnected() ?? false });
  const cpu = new CpuSampler();
  if (trust.keys().length === 0) log.warn("no trusted command keys: this agent refuses every command until it is enrolled (or KANADE_COMMAND_KEYS is set)");
  const keysWatcher = watchCommandKeys({ nc, trust, log });
  const runs = config.klp ? new RunRegistry() : undefined;
  const quarantined = (): readonly string[] => quarantinedVersions(config.dataDir, (err) => log.warn({ err }, "cannot read self-update state"));
  const platform = currentPlatform();
  const seenClient: { version?: string } = {};
  const node = await AgentNode.create({
    pcId: config.pcId,
    nc,
    log,
    executor: processExecutor({
      dataDir: config.dataDir,
      platform,
      log,
      scriptObjects: new ScriptObjectCache({ nc, dataDir: config.dataDir, log }),
      secrets: [config.natsToken, config.natsPassword, credential?.seed, config.enrollToken].filter((s): s is string => s !== undefined),
    }),
    dataDir: config.dataDir,
    scriptState,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    cpuPct: () => cpu.sample(),
    ping: true,
    ...(deps.random ? { random: deps.random } : {}),
    quarantinedVersions: quarantined,
    clientVersion: () => seenClient.version,
    trustedKeys: () => trust.keys(),
    ...(runs ? { onRun: (event) => runs.observe(event), onRunOutput: (execId, stream, chunk) => runs.output(execId, stream, chunk) } : {}),
  });
  ref.node = node;
  scriptState.start();
  if (!(await scriptState.ready(SCRIPT_STATE_WAIT_MS))) {
    log.warn({ waited_ms: SCRIPT_STATE_WAIT_MS }, "script_status/script_current not read yet; starting with what is known");
  }
  // Notices are for the people at the PC, who reach them through KLP: read only once KLP serves (below).
  const notices = config.klp ? new NoticeDesk({ pcId: config.pcId, dataDir: config.dataDir, nc, log, isConnected: () => node.isConnected() }) : undefined;
  const settings = new EffectiveConfigView({ nc, pcId: config.pcId, log, groups: () => node.groups() });
  const groupsWatcher = new BucketWatcher({
    nc,
    bucket: BUCKETS.agentGroups,
    key: config.pcId,
    log,
    onEntry: (_key, value) => {
      node.setGroups(parseGroups(value, log));
      notices?.setGroups(node.groups());
      settings.groupsChanged();
    },
  });
  keysWatcher.start();
  await node.start(await initialGroups(nc, config.pcId, log));
  const timeline = new AgentTimeline({
    pcId: config.pcId,
    stateDir: join(config.dataDir, "state"),
    put: (e) => node.putEvent(e),
    ...(platform.sessionEvents ? { sessionEvents: platform.sessionEvents.bind(platform) } : {}),
    log,
  });
  timeline.started(AGENT_VERSION);
  timeline.start();
  groupsWatcher.start();
  const heartbeat = new Ticker(config.heartbeatIntervalMs, () => node.sendHeartbeat());
  settings.subscribe((cfg) => {
    const ms = heartbeatIntervalMs(cfg, config.heartbeatIntervalMs);
    if (ms === heartbeat.period) return;
    log.info({ heartbeat_interval_ms: ms }, "heartbeat interval changed");
    node.setHeartbeatInterval(ms);
    heartbeat.setPeriod(ms);
    node.sendHeartbeat();
  });
  const updater = deps.selfUpdate
    ? new SelfUpdater({ nc, log, dataDir: config.dataDir, version: AGENT_VERSION, settings, ...deps.selfUpdate })
    : undefined;
  updater?.start();
  settings.start();
  heartbeat.start();
  const logTail = serveLogTail({ nc, pcId: config.pcId, ring, log });
  const inventory = new InventoryReporter({
    pcId: config.pcId,
    js: jetstream(nc),
    log,
    collect: deps.collectInventory ?? inProcessCollector,
    settings: deps.inventorySettings ?? (() => settings.current().effective),
  });
  inventory.start();
  const perf = new PerfPublisher({ nc, pcId: config.pcId, log, source: await currentPerfSource(), intervalMs: hostPerfIntervalMs(settings.current()) });
  settings.subscribe((cfg) => {
    const ms = hostPerfIntervalMs(cfg);
    if (ms === perf.intervalMs) return;
    log.info({ host_perf_interval_ms: ms }, "host perf interval changed");
    perf.setInterval(ms);
  });
  await perf.start();
  const schedules = agentSchedules({
    nc,
    pcId: config.pcId,
    dataDir: config.dataDir,
    keys: () => trust.keys(),
    groups: () => node.groups(),
    run: (cmd, origin) => node.runScheduled(cmd, origin),
    accepting: () => node.acceptsScheduled(),
    report: (e) => node.putEvent(e),
    log,
    ...(config.scheduleTickMs !== undefined ? { tickMs: config.scheduleTickMs } : {}),
  });
  let klp: KlpServer | undefined;
  if (config.klp && runs) {
    klp = await startKlp(config.klp, {
      nc,
      log,
      runs,
      ...(notices ? { notices } : {}),
      maintenance: schedules.maintenance,
      pcId: config.pcId,
      agentVersion: AGENT_VERSION,
      isConnected: () => node.isConnected(),
      trustedKeyCount: () => trust.keys().length,
      quarantinedVersions: quarantined,
      targetVersion: () => settings.current().effective.target_version,
      logTail: (lines) => ring.tail(lines).lines,
      // Operators see which kanade-client a PC runs: a new version goes out in a heartbeat straight away.
      onClientVersion: (version) => {
        if (seenClient.version === version) return;
        seenClient.version = version;
        node.sendHeartbeat();
      },
    });
  }
  // No local protocol on this OS (or it failed to open): nobody could be shown a notice.
  if (klp) notices?.start(node.groups());
  schedules.start();
  log.info("agent ready");
  return {
    pcId: config.pcId,
    drain: (timeoutMs, skipReason) => node.drain(timeoutMs, skipReason),
    async stop() {
      await klp?.stop();
      notices?.stop();
      heartbeat.stop();
      schedules.stop();
      perf.stop();
      updater?.stop();
      settings.stop();
      logTail.unsubscribe();
      await inventory.stop();
      groupsWatcher.stop();
      keysWatcher.stop();
      scriptState.stop();
      await timeline.stop();
      await node.stop(timeline.stoppedEvent());
      // Draining waits for the broker; one that is away (or has cut this agent off) never answers.
      if (node.isConnected()) await nc.drain().catch((err: unknown) => log.warn({ err }, "drain failed; closing"));
      if (!nc.isClosed()) await nc.close();
      log.info("agent stopped");
    },
  };
}

/** The data dir is created owner-only; one an older build (or an installer) left open is tightened. */
function securePrivateDir(dataDir: string, log: Logger): void {
  try {
    const changed = tightenTree(dataDir);
    if (changed.length > 0) log.warn({ data_dir: dataDir, paths: changed.length, first: changed[0] }, "data dir was readable by other users; removed group/other permissions");
  } catch (err) {
    // Owned by another user, or a read-only mount: run anyway, but say so.
    log.error({ err, data_dir: dataDir }, "could not restrict the data dir to the agent's user");
  }
}

/**
 * The credential to connect with. One the broker refuses (revoked, or from another broker) is dropped and the
 * agent asks to join again with the same key, for an operator to decide; an agent with no credential and no
 * way to ask for one stops with a line naming the settings to fix.
 */
async function brokerCredential(config: AgentConfig, trust: TrustStore, log: Logger): Promise<AgentCredential | undefined> {
  const deps = { seeds: agentSeedStore(config.dataDir), log, pin: (keys: CommandKey[]) => trust.pin(keys) };
  const credential = await obtainCredential(config, deps);
  const params = { name: config.pcId, natsUrl: config.natsUrl, ...(config.natsCa ? { natsCa: config.natsCa } : {}), ...(credential ? { credential } : {}) };
  if (config.natsToken || config.natsUser || !(await brokerRefuses(params))) return credential;
  if (!credential || config.credential || !config.enrollCreds) {
    const what = config.credential ? `the credential in ${process.env.KANADE_NATS_CREDS ? "KANADE_NATS_CREDS" : "nats_creds"}` : credential ? "this agent's enrolled credential" : "no credential";
    throw new KanadeError(
      "INVALID_CONFIG",
      `the broker at ${config.natsUrl} refused this agent (${what}): set KANADE_ENROLL_CREDS (enroll_creds) to the enrollment credential so it can ask to join, or KANADE_NATS_CREDS (nats_creds) to its own .creds file`,
      { details: [{ path: "enroll_creds", message: "the broker needs a credential" }] },
    );
  }
  log.warn("the broker refused this agent's credential (revoked?); asking to join again");
  forgetJwt(config.dataDir);
  return obtainCredential(config, deps);
}

/** Read once before subscribing, so the first replay already covers the groups; undefined when unreadable. */
async function initialGroups(nc: NatsConnection, pcId: string, log: Logger): Promise<string[] | undefined> {
  try {
    const kv = await new Kvm(nc).open(BUCKETS.agentGroups, DIRECT);
    const entry = await kv.get(pcId);
    return entry && entry.operation === "PUT" ? parseGroups(entry.string(), log) : [];
  } catch (err) {
    log.warn({ err }, "could not read agent_groups; starting with no groups until the watch delivers them");
    return undefined;
  }
}

export function parseGroups(value: string | undefined, log: Logger): string[] {
  if (value === undefined) return [];
  try {
    return agentGroupsSchema.parse(JSON.parse(value)).groups;
  } catch (err) {
    log.warn({ err }, "agent_groups entry is not {\"groups\":[...]}; treating as no groups");
    return [];
  }
}

/** A heartbeat interval set in `agent_config` wins; otherwise the local config file's value. */
export function heartbeatIntervalMs(cfg: EffectiveConfig, localMs: number): number {
  if (cfg.sources.heartbeat_interval === "default") return localMs;
  const ms = parseDurationMs(cfg.effective.heartbeat_interval);
  return ms && ms >= 1_000 ? ms : localMs;
}
