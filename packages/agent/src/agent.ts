/** A real agent: one connection, its own KV views, real processes, state under `data_dir`. */
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { agentGroupsSchema, BUCKETS, parseDurationMs, type EffectiveConfig } from "@kanade/protocol";
import { AgentNode } from "./agent-node.js";
import type { AgentConfig } from "./config.js";
import { connectAgent } from "./connection.js";
import { EffectiveConfigView } from "./effective-config.js";
import { processExecutor } from "./exec/process-executor.js";
import { CpuSampler } from "./heartbeat.js";
import { BucketWatcher } from "./kv-watch.js";
import { createLogger } from "./log.js";
import { currentPlatform } from "./platform/index.js";
import { ScriptObjectCache } from "./script-objects.js";
import { ScriptStateView } from "./script-state.js";
import { quarantinedVersions } from "./self-update/state.js";
import { SelfUpdater } from "./self-update/updater.js";
import { Ticker } from "./ticker.js";
import { AGENT_VERSION } from "./version.js";

export interface RunningAgent {
  readonly pcId: string;
  /**
   * Stops intake and heartbeats, hard-kills in-flight process trees WITHOUT reporting them (their
   * running markers stay, so the next start with the same data dir reports them as `error`), then
   * drains and closes the connection.
   */
  stop(): Promise<void>;
}

export interface SelfUpdateOptions {
  /** The executable the service manager starts (see self-update/exe.ts). */
  exePath: string;
  /** After a verified swap: stop the agent and exit 64 so the new build is started. */
  onSwapped(version: string): void;
}

export async function startAgent(config: AgentConfig, deps: { log?: Logger; selfUpdate?: SelfUpdateOptions } = {}): Promise<RunningAgent> {
  const log = (deps.log ?? createLogger(config.logLevel)).child({ pc_id: config.pcId });
  log.info({ nats_url: config.natsUrl, data_dir: config.dataDir }, "agent starting");
  const nc = await connectAgent({ name: config.pcId, ...config });
  // The view needs the node's connection state, and the node needs the view.
  const ref: { node?: AgentNode } = {};
  const scriptState = new ScriptStateView({ nc, log, isConnected: () => ref.node?.isConnected() ?? false });
  const cpu = new CpuSampler();
  const node = await AgentNode.create({
    pcId: config.pcId,
    nc,
    log,
    executor: processExecutor({
      dataDir: config.dataDir,
      platform: currentPlatform(),
      log,
      scriptObjects: new ScriptObjectCache({ nc, dataDir: config.dataDir, log }),
    }),
    dataDir: config.dataDir,
    scriptState,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    cpuPct: () => cpu.sample(),
    ping: true,
    quarantinedVersions: () => quarantinedVersions(config.dataDir, (err) => log.warn({ err }, "cannot read self-update state")),
  });
  ref.node = node;
  scriptState.start();
  const settings = new EffectiveConfigView({ nc, pcId: config.pcId, log, groups: () => node.groups() });
  const groupsWatcher = new BucketWatcher({
    nc,
    bucket: BUCKETS.agentGroups,
    key: config.pcId,
    log,
    onEntry: (_key, value) => {
      node.setGroups(parseGroups(value, log));
      settings.groupsChanged();
    },
  });
  await node.start(await initialGroups(nc, config.pcId, log));
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
  log.info("agent ready");
  return {
    pcId: config.pcId,
    async stop() {
      heartbeat.stop();
      updater?.stop();
      settings.stop();
      groupsWatcher.stop();
      scriptState.stop();
      await node.stop();
      await nc.drain().catch((err: unknown) => log.warn({ err }, "drain failed; closing"));
      if (!nc.isClosed()) await nc.close();
      log.info("agent stopped");
    },
  };
}

/** Read once before subscribing, so the first replay already covers the groups. */
async function initialGroups(nc: NatsConnection, pcId: string, log: Logger): Promise<string[]> {
  try {
    const kv = await new Kvm(nc).open(BUCKETS.agentGroups);
    const entry = await kv.get(pcId);
    return entry && entry.operation === "PUT" ? parseGroups(entry.string(), log) : [];
  } catch (err) {
    log.warn({ err }, "could not read agent_groups; starting with no groups");
    return [];
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
