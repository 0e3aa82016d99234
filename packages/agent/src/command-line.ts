/**
 * `kanade-agent`'s command line (commander). program.ts loads it only when the agent is started with
 * arguments (`simulate`, `inventory`, `--help`…): a service's plain `kanade-agent` never runs this.
 */
import { Command as Cli, InvalidArgumentError, Option } from "commander";
import { INVENTORY_CATEGORIES, MAX_TIMER_MS, MAX_TIMER_TEXT, parseDurationMs, type InventoryCategory } from "@kanade/protocol/wire";
import { SIGNATURE_CHECK_MODES, type SignatureCheckMode } from "./simulate/signature-check-mode.js";
import { AGENT_VERSION } from "./version.js";

export interface SimulateOptions {
  count: number;
  prefix: string;
  heartbeatInterval?: number;
  hostPerfInterval?: number;
  credsDir?: string;
  signatureCheck: SignatureCheckMode;
}

/** What each command does (program.ts). */
export interface Commands {
  run(): Promise<void>;
  simulate(opts: SimulateOptions): Promise<void>;
  inventory(categories: InventoryCategory[] | undefined): Promise<void>;
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

function inventoryCategory(v: string, previous: InventoryCategory[] | undefined): InventoryCategory[] {
  if (!(INVENTORY_CATEGORIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${INVENTORY_CATEGORIES.join(", ")}`);
  return [...(previous ?? []), v as InventoryCategory];
}

/** Parses argv and runs the command it names; settles when the command does. */
export async function runCommandLine(argv: readonly string[], commands: Commands): Promise<void> {
  const program = new Cli("kanade-agent").description("kanade endpoint agent").version(`${AGENT_VERSION} (node ${process.version})`);
  program
    .command("run", { isDefault: true })
    .description("run the agent (default)")
    .action(() => commands.run());
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
    .action((opts: SimulateOptions) => commands.simulate(opts));
  program
    .command("inventory")
    .description(`print this PC's built-in inventory as JSON, as the agent reports it (categories: ${INVENTORY_CATEGORIES.join(", ")}; default all)`)
    .argument("[categories...]", "categories to collect", inventoryCategory)
    .action((categories: InventoryCategory[] | undefined) => commands.inventory(categories));
  await program.parseAsync([...argv]);
}
