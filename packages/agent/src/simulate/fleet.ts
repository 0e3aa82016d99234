/**
 * N simulated agents in one process. Each has its own NATS connection and runs the real intake → gates →
 * result path; execution is faked by the echo executor. Handled ids and outboxes live in memory, so a
 * restarted simulator may re-run the newest command per subject. Cost per agent: one connection, three
 * subscriptions (commands.pc, commands.all, kill.*) plus one per group; script state and group
 * membership come from one shared watcher connection; heartbeats share one timer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { parseCreds } from "@kanade/protocol/nkeys";
import type { Logger } from "pino";
import { BUCKETS, subjects, type CommandKey } from "@kanade/protocol/wire";
import { AgentNode } from "../agent-node.js";
import { parseGroups } from "../agent.js";
import { connect } from "@nats-io/transport-node";
import { connectAgent, connectionOptions, trackConnected, type AgentCredential, type ConnectParams } from "../connection.js";
import { CpuSampler, readHostFacts } from "../heartbeat.js";
import { BucketWatcher } from "../kv-watch.js";
import { createLogger } from "../log.js";
import { ScriptStateView } from "../script-state.js";
import { watchCommandKeys } from "../trust/key-set-watch.js";
import { TrustStore } from "../trust/trust-store.js";
import { echoExecutor, SIMULATOR_ONLY_ECHO } from "./echo-executor.js";
import { fakeHostPerf } from "./fake-perf.js";
import { memoizedCommandDecode } from "./decode-memo.js";
import { memoizedSignatureCheck } from "./verify-memo.js";
import type { SignatureCheckMode } from "./signature-check-mode.js";
import { verifySignature as verifySignatureEach, type SignatureCheck } from "../trust/verify.js";

export interface SimulatedFleetOptions {
  count: number;
  natsUrl: string;
  natsToken?: string;
  /** Command-signing keys every simulated agent trusts (they verify each command, as real agents do). */
  commandKeys?: CommandKey[];
  prefix?: string;
  /** Accepted for symmetry with the real agent; simulated state is kept in memory. */
  dataDir: string;
  log?: Logger;
  heartbeatIntervalMs?: number;
  /** Publish fake HostPerf this often (whole seconds); unset = no host perf. */
  hostPerfIntervalMs?: number;
  /** How many agents connect at once. */
  batchSize?: number;
  /**
   * A locked-down broker: each simulated agent connects with `<credsDir>/<pc_id>.creds`, and the shared
   * views connection (every PC's groups) with `<credsDir>/views.creds`.
   */
  credsDir?: string;
  /** How simulated PCs check command signatures (signature-check-mode.ts); default `memo`. */
  signatureCheck?: SignatureCheckMode;
}

function signatureCheckFor(mode: SignatureCheckMode): SignatureCheck {
  if (mode === "each") return verifySignatureEach;
  if (mode === "off") return () => true;
  return memoizedSignatureCheck();
}

export interface SimulatedFleet {
  pcIds: string[];
  stop(): Promise<void>;
}

/**
 * A simulated PC's connection: a real agent's, without the stack trace nats.js captures up front for
 * every request (each result and started event is one), which thousands of PCs in one process pay for
 * on every message and never read.
 */
const connectSimulated = (p: ConnectParams): Promise<NatsConnection> => connect({ ...connectionOptions(p), noAsyncTraces: true });

export const simulatedPcId = (prefix: string, i: number): string => `${prefix}${String(i).padStart(4, "0")}`;

export async function startSimulatedFleet(opts: SimulatedFleetOptions): Promise<SimulatedFleet> {
  const log = opts.log ?? createLogger("info");
  const prefix = opts.prefix ?? "sim-";
  const intervalSecs = Math.max(1, Math.round((opts.heartbeatIntervalMs ?? 30_000) / 1000));
  const perfSecs = opts.hostPerfIntervalMs ? Math.max(1, Math.round(opts.hostPerfIntervalMs / 1000)) : 0;
  const pcIds = Array.from({ length: opts.count }, (_, i) => simulatedPcId(prefix, i + 1));
  log.info({ count: opts.count, prefix, nats_url: opts.natsUrl }, `simulated fleet starting: ${SIMULATOR_ONLY_ECHO} (sh scripts of echo lines); anything else is reported skipped 122`);

  const auth = (name: string): { credential: AgentCredential } | Record<string, never> =>
    opts.credsDir ? { credential: parseCreds(readFileSync(join(opts.credsDir, `${name}.creds`), "utf8")) } : {};
  const shared = await connectAgent({ name: `${prefix}fleet-views`, natsUrl: opts.natsUrl, ...(opts.natsToken ? { natsToken: opts.natsToken } : {}), ...auth("views") });
  const scriptState = new ScriptStateView({ nc: shared, log, isConnected: trackConnected(shared) });
  scriptState.start();
  const trust = new TrustStore(undefined, opts.commandKeys ?? [], log);
  const verifySignature = signatureCheckFor(opts.signatureCheck ?? "memo");
  const decodeCommand = memoizedCommandDecode();
  const executor = echoExecutor();
  const keysWatcher = watchCommandKeys({ nc: shared, trust, log });
  keysWatcher.start();
  const groups = new Map<string, string[]>();
  const nodes = new Map<string, { node: AgentNode; nc: NatsConnection; phase: number }>();
  const groupsWatcher = new BucketWatcher({
    nc: shared,
    bucket: BUCKETS.agentGroups,
    log,
    onEntry: (key, value) => {
      const g = parseGroups(value, log);
      groups.set(key, g);
      nodes.get(key)?.node.setGroups(g);
    },
  });
  groupsWatcher.start();
  const cpu = new CpuSampler();
  let cpuPct = 0;
  // One read of the host for every PC of the process, once a second: they all report this machine.
  let host = readHostFacts(new Date());
  let tick = 0;
  const ticker = setInterval(() => {
    tick += 1;
    cpuPct = cpu.sample();
    host = readHostFacts(new Date());
    for (const n of nodes.values()) if (tick % intervalSecs === n.phase) n.node.sendHeartbeat();
    if (perfSecs > 0) {
      const at = new Date();
      for (const [pcId, n] of nodes) {
        if (tick % perfSecs === n.phase % perfSecs && !n.nc.isClosed()) n.nc.publish(subjects.hostPerf(pcId), JSON.stringify(fakeHostPerf(pcId, tick, at)));
      }
    }
  }, 1_000);

  const startOne = async (pcId: string): Promise<void> => {
    const nc = await connectSimulated({ name: pcId, natsUrl: opts.natsUrl, ...(opts.natsToken ? { natsToken: opts.natsToken } : {}), ...auth(pcId) });
    const node = await AgentNode.create({
      pcId,
      nc,
      log: log.child({ pc_id: pcId }),
      executor,
      dataDir: undefined,
      scriptState,
      heartbeatIntervalMs: intervalSecs * 1000,
      cpuPct: () => cpuPct,
      hostFacts: () => host,
      ping: false,
      trustedKeys: () => trust.keys(),
      verifySignature,
      decodeCommand,
    });
    nodes.set(pcId, { node, nc, phase: Math.floor(Math.random() * intervalSecs) });
    // Unknown until the shared watcher has read this PC's entry; it calls setGroups then.
    await node.start(groups.get(pcId));
  };

  const batch = opts.batchSize ?? 200;
  for (let i = 0; i < pcIds.length; i += batch) {
    await Promise.all(pcIds.slice(i, i + batch).map(startOne));
    log.info({ connected: Math.min(i + batch, pcIds.length), count: pcIds.length }, "simulated agents connected");
  }

  return {
    pcIds,
    async stop() {
      clearInterval(ticker);
      groupsWatcher.stop();
      keysWatcher.stop();
      scriptState.stop();
      await Promise.all(
        [...nodes.values()].map(async ({ node, nc }) => {
          await node.stop();
          await nc.close();
        }),
      );
      await shared.close();
    },
  };
}
