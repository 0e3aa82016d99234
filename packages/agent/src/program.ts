/** `kanade-agent`: run one agent from config, or a simulated fleet. Loaded by main.ts after the boot guard. */
import { join } from "node:path";
import type { Logger } from "pino";
import { AGENT_UPDATE_EXIT, INVENTORY_CATEGORIES, KanadeError, type InventoryCategory } from "@kanade/protocol/wire";
import type { RunningAgent } from "./agent.js";
import type { Commands, SimulateOptions } from "./command-line.js";
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

async function runSimulator(opts: SimulateOptions): Promise<void> {
  // nats.js builds an Error for every request it settles and throws most away; capturing their stacks cost a
  // simulator 8 % of its CPU while 12,500 PCs connected (a CPU profile of bench:scale). Its log lines keep their messages.
  Error.stackTraceLimit = 0;
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

/** One JSON line on stdout; the agent runs this as a child to collect its inventory (inventory/collectors.ts). */
async function printInventory(categories: InventoryCategory[] | undefined): Promise<void> {
  const { collectSnapshot } = await import("./inventory/snapshot.js");
  const snapshot = await collectSnapshot(categories?.length ? categories : INVENTORY_CATEGORIES);
  process.stdout.write(`${JSON.stringify(snapshot)}\n`);
}

/**
 * Runs the command argv names; failures are printed and exit non-zero (2 for bad input). A service starts
 * `kanade-agent` with no arguments: the agent then starts without its command line (commander), which a
 * long-lived agent would otherwise keep in memory (docs/operator/performance.md, "Agent memory").
 */
export async function runProgram(argv: readonly string[], boot: BootHandoff | undefined): Promise<void> {
  const commands: Commands = { run: () => runAgent(boot), simulate: runSimulator, inventory: printInventory };
  const args = argv.slice(2);
  const plainRun = args.length === 0 || (args.length === 1 && args[0] === "run");
  const running = plainRun ? commands.run() : import("./command-line.js").then((cli) => cli.runCommandLine(argv, commands));
  await running.catch((err: unknown) => {
    if (err instanceof KanadeError) console.error(`kanade-agent: ${err.message}`);
    else console.error(err);
    process.exit(err instanceof KanadeError ? 2 : 1);
  });
}
