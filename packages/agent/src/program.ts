/** `kanade-agent`: run one agent from config, or a simulated fleet. Loaded by main.ts after the boot guard. */
import { join } from "node:path";
import { Command as Cli, InvalidArgumentError, Option } from "commander";
import type { Logger } from "pino";
import { AGENT_UPDATE_EXIT, INVENTORY_CATEGORIES, KanadeError, MAX_TIMER_MS, MAX_TIMER_TEXT, parseDurationMs, type InventoryCategory } from "@kanade/protocol/wire";
import type { RunningAgent } from "./agent.js";
import { loadAgentConfig } from "./config.js";
import { childProcessCollector } from "./inventory/collectors.js";
import { createLogger } from "./log.js";
import { RollingLogFile } from "./log-file.js";
import { LogRing } from "./log-ring.js";
import type { BootHandoff } from "./self-update/boot.js";
import { markHealthy } from "./self-update/boot-guard.js";
import { resolveAgentExe } from "./self-update/exe.js";
import { requestServiceRestart, SERVICE_RESTART_WAIT_MS } from "./self-update/service-restart.js";
import { selfCommand } from "./self-command.js";
import { SIGNATURE_CHECK_MODES, type SignatureCheckMode } from "./simulate/signature-check-mode.js";
import { AGENT_VERSION } from "./version.js";

interface Stoppable {
  stop(): Promise<void>;
}

/** SIGINT/SIGTERM stop cleanly and exit 0; a second signal exits at once. */
function stopOnSignals(target: Stoppable, log: { info(o: object, m: string): void }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, "stopping");
    target.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/**
 * How long an update restart waits for running scripts (a long installer) before stopping them anyway;
 * a script stopped then is reported as `error` by the new build.
 */
export const UPDATE_DRAIN_MAX_MS = 30 * 60_000;
/** skip_reason of runs still in their jitter sleep when the agent restarts into a new build. */
export const UPDATE_SKIP_REASON = "agent restarting for an update";

/** `boot` is the boot guard's view (main.ts ran it); undefined when started without it. */
async function runAgent(boot: BootHandoff | undefined): Promise<void> {
  const config = loadAgentConfig();
  const logRing = new LogRing();
  const log = createLogger(config.logLevel, {}, { ring: logRing, file: new RollingLogFile(join(config.dataDir, "logs"), "agent") });
  const exePath = resolveAgentExe();
  if (boot && boot.dataDir !== config.dataDir) {
    log.warn({ boot_data_dir: boot.dataDir, data_dir: config.dataDir }, "the boot guard read another data_dir than the config; update trials may not be counted");
  }
  const self = selfCommand();
  const { startAgent } = await import("./agent.js");
  // Signals may arrive while the agent is still starting (service managers don't wait): stop after start.
  const starting: Promise<RunningAgent> = startAgent(config, {
    log,
    logRing,
    ...(self ? { collectInventory: childProcessCollector(self) } : {}),
    ...(exePath
      ? {
          selfUpdate: {
            exePath,
            onSwapped: () => void exitForRestart(starting, log),
          },
        }
      : {}),
  });
  stopOnSignals({ stop: async () => (await starting).stop() }, log);
  await starting;
  if (boot) markHealthy({ ...boot, log });
  if (!exePath) log.info("self-update off: not a single-executable build and KANADE_AGENT_EXE is not set");
}

/**
 * Lets running scripts finish (bounded), then stops and exits 64: the service manager (or supervisor)
 * starts the new build. Awaits the start itself: a swap can finish before startAgent resolves.
 */
async function exitForRestart(starting: Promise<RunningAgent>, log: Pick<Logger, "error" | "warn" | "info">): Promise<void> {
  try {
    const agent = await starting;
    log.info({ max_wait_ms: UPDATE_DRAIN_MAX_MS }, "waiting for running scripts before restarting for the update");
    if (!(await agent.drain(UPDATE_DRAIN_MAX_MS, UPDATE_SKIP_REASON))) {
      log.warn({ waited_ms: UPDATE_DRAIN_MAX_MS }, "scripts still running; stopping them for the update (reported as error after the restart)");
    }
    await agent.stop();
  } catch (err) {
    log.error({ err }, "error while stopping for an update; restarting anyway");
  }
  // Under WinSW/systemd: the service manager stops us (exit 0 via the signal handler) and starts the
  // new build at once; exit 64 only if that does not happen.
  if (await requestServiceRestart(process.env, log)) await new Promise((r) => setTimeout(r, SERVICE_RESTART_WAIT_MS));
  process.exit(AGENT_UPDATE_EXIT);
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
};

/** A timer period from the command line: 1s..24d (Node fires longer timers at once). */
const positiveDuration = (v: string): number => {
  const ms = parseDurationMs(v);
  if (ms === undefined || ms < 1_000 || ms > MAX_TIMER_MS) {
    throw new InvalidArgumentError(`expected a duration from 1s to ${MAX_TIMER_TEXT}, like 5s or 30s`);
  }
  return ms;
};

async function runSimulator(opts: { count: number; prefix: string; heartbeatInterval?: number; hostPerfInterval?: number; credsDir?: string; signatureCheck: SignatureCheckMode }): Promise<void> {
  const config = loadAgentConfig();
  const log = createLogger(config.logLevel);
  const { startSimulatedFleet } = await import("./simulate/fleet.js");
  const fleet = await startSimulatedFleet({
    count: opts.count,
    prefix: opts.prefix,
    natsUrl: config.natsUrl,
    ...(config.natsToken ? { natsToken: config.natsToken } : {}),
    ...(config.commandKeys ? { commandKeys: config.commandKeys } : {}),
    dataDir: config.dataDir,
    log,
    heartbeatIntervalMs: opts.heartbeatInterval ?? config.heartbeatIntervalMs,
    ...(opts.hostPerfInterval !== undefined ? { hostPerfIntervalMs: opts.hostPerfInterval } : {}),
    ...(opts.credsDir ? { credsDir: opts.credsDir } : {}),
    signatureCheck: opts.signatureCheck,
  });
  if (opts.signatureCheck !== "memo") log.warn({ signature_check: opts.signatureCheck }, "simulated agents check command signatures differently from the default (memo)");
  log.info({ count: fleet.pcIds.length }, "simulated fleet ready");
  stopOnSignals(fleet, log);
}

function inventoryCategory(v: string, previous: InventoryCategory[] | undefined): InventoryCategory[] {
  if (!(INVENTORY_CATEGORIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${INVENTORY_CATEGORIES.join(", ")}`);
  return [...(previous ?? []), v as InventoryCategory];
}

/** One JSON line on stdout; the agent runs this as a child to collect its inventory (inventory/collectors.ts). */
async function printInventory(categories: InventoryCategory[] | undefined): Promise<void> {
  const { collectSnapshot } = await import("./inventory/snapshot.js");
  const snapshot = await collectSnapshot(categories?.length ? categories : INVENTORY_CATEGORIES);
  process.stdout.write(`${JSON.stringify(snapshot)}\n`);
}

/** Parses argv and runs the command; failures are printed and exit non-zero (2 for bad input). */
export async function runProgram(argv: readonly string[], boot: BootHandoff | undefined): Promise<void> {
  const program = new Cli("kanade-agent").description("kanade endpoint agent").version(`${AGENT_VERSION} (node ${process.version})`);
  program
    .command("run", { isDefault: true })
    .description("run the agent (default)")
    .action(() => runAgent(boot));
  program
    .command("simulate")
    .description("run N simulated agents (echo-only scripts) in this process")
    .requiredOption("--count <n>", "number of agents", positiveInt)
    .option("--prefix <prefix>", "pc_id prefix", "sim-")
    .option("--heartbeat-interval <duration>", "heartbeat interval of every simulated agent (default: the config's)", positiveDuration)
    .option("--host-perf-interval <duration>", "publish fake host perf this often (e.g. 1s, 60s)", positiveDuration)
    .option("--creds-dir <dir>", "locked-down broker: each agent connects with <dir>/<pc_id>.creds, the shared views with <dir>/views.creds")
    .addOption(
      new Option("--signature-check <mode>", "memo: verify each distinct signed command once; each: every PC verifies its copy; off: no check (measuring signing only)")
        .choices(SIGNATURE_CHECK_MODES)
        .default("memo"),
    )
    .action(runSimulator);
  program
    .command("inventory")
    .description(`print this PC's built-in inventory as JSON, as the agent reports it (categories: ${INVENTORY_CATEGORIES.join(", ")}; default all)`)
    .argument("[categories...]", "categories to collect", inventoryCategory)
    .action(printInventory);
  await program.parseAsync([...argv]).catch((err: unknown) => {
    if (err instanceof KanadeError) console.error(`kanade-agent: ${err.message}`);
    else console.error(err);
    process.exit(err instanceof KanadeError ? 2 : 1);
  });
}
