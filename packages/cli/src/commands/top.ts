/**
 * `top <pc>`: one PC's host perf and top processes, live (the backend keeps the agent streaming while
 * this runs). `top --fleet`: the hottest PCs of the fleet, live. `--once` prints one picture and exits.
 */
import type { Command } from "commander";
import { FLEET_PERF_SORTS, PC_ID_RE, sortFleet, type FleetPerfSort, type HostPerf, type PerfFrame, type ProcessPerf } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../deps.js";
import { CliError, badInput } from "../errors.js";
import { openLiveSocket } from "../live-socket.js";
import { printJson } from "../output.js";
import { renderFleet, renderHost } from "../perf-format.js";

const CLEAR = "\x1b[H\x1b[2J";
/** After the first host frame, how long `--once` waits for the process list to complete the picture. */
const ONCE_PROCESS_WAIT_MS = 3_000;

interface TopOpts {
  fleet?: boolean;
  once?: boolean;
  sort: string;
  limit: string;
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("top"))
    .description("live host performance of one PC (with its top processes), or of the fleet with --fleet")
    .argument("[pc]", "pc_id")
    .option("--fleet", "the hottest PCs of the whole fleet")
    .option("--once", "print one picture and exit")
    .option("--sort <key>", `fleet order: ${FLEET_PERF_SORTS.join(", ")}`, "cpu")
    .option("--limit <n>", "fleet rows to show", "20")
    .action(async (pc: string | undefined, opts: TopOpts, cmd: Command) => {
      const sort = opts.sort as FleetPerfSort;
      const limit = Number(opts.limit);
      if (!FLEET_PERF_SORTS.includes(sort)) throw badInput(`--sort: expected one of ${FLEET_PERF_SORTS.join(", ")} (got "${opts.sort}")`);
      if (!Number.isInteger(limit) || limit < 1) throw badInput(`--limit: expected a positive integer (got "${opts.limit}")`);
      if (opts.fleet) return topFleet(deps, wantsJson(cmd), opts.once === true, sort, limit);
      if (!pc) throw badInput("give a <pc>, or --fleet");
      if (!PC_ID_RE.test(pc)) throw badInput(`<pc>: expected a pc_id (got "${pc}")`);
      return topPc(deps, pc, wantsJson(cmd), opts.once === true);
    });
}

async function topPc(deps: Deps, pc: string, json: boolean, once: boolean): Promise<void> {
  const live = await openLiveSocket(deps.client.config, deps.client.websocket("watchAgentPerf", { pc }).url);
  let host: HostPerf | undefined;
  let procs: ProcessPerf | undefined;
  let hostAt = 0;
  const draw = (): void => deps.io.out((deps.io.stdoutIsTTY && !once ? CLEAR : "") + renderHost(host!, procs));
  try {
    for await (const frame of withTicks(live.frames, deps)) {
      if (frame === "tick") {
        if (once && host && deps.now() - hostAt > ONCE_PROCESS_WAIT_MS) return draw();
        continue;
      }
      if (frame.type === "error") {
        if (once) throw new CliError(frame.message, { code: "TIMEOUT" });
        deps.io.err(`warning: ${frame.message}\n`);
        continue;
      }
      if (json) {
        deps.io.out(JSON.stringify(frame) + "\n");
        if (once) return;
        continue;
      }
      if (frame.type === "host_perf") {
        host = frame.data;
        hostAt ||= deps.now();
      } else procs = frame.data;
      if (!host) continue;
      if (once && procs) return draw();
      if (!once) draw();
    }
    throw new CliError("the backend closed the live view", { code: "FAILED" });
  } finally {
    live.close();
  }
}

async function topFleet(deps: Deps, json: boolean, once: boolean, sort: FleetPerfSort, limit: number): Promise<void> {
  if (once) {
    const { items } = await deps.client.call("getFleetPerf", { query: { sort, limit } });
    if (json) return printJson(deps.io, items);
    return deps.io.out(renderFleet(items));
  }
  const live = await openLiveSocket(deps.client.config, deps.client.websocket("watchFleetPerf").url);
  const latest = new Map<string, HostPerf>();
  let dirty = false;
  try {
    for await (const frame of withTicks(live.frames, deps)) {
      if (frame === "tick") {
        if (!dirty) continue;
        dirty = false;
        deps.io.out((deps.io.stdoutIsTTY ? CLEAR : "") + `fleet: ${latest.size} PCs, hottest by ${sort}\n` + renderFleet(sortFleet(latest.values(), sort).slice(0, limit)));
        continue;
      }
      if (frame.type === "error") {
        deps.io.err(`warning: ${frame.message}\n`);
      } else if (frame.type === "host_perf") {
        if (json) deps.io.out(JSON.stringify(frame) + "\n");
        else {
          latest.set(frame.data.pc_id, frame.data);
          dirty = true;
        }
      }
    }
    throw new CliError("the backend closed the live view", { code: "FAILED" });
  } finally {
    live.close();
  }
}

/** Interleaves a "tick" every second with the frames, so redraws are paced and `--once` can time out. */
async function* withTicks(frames: AsyncIterable<PerfFrame>, deps: Deps): AsyncGenerator<PerfFrame | "tick"> {
  const it = frames[Symbol.asyncIterator]();
  let pending = it.next();
  for (;;) {
    const tick = deps.sleep(1_000).then(() => "tick" as const);
    const r = await Promise.race([pending, tick]);
    if (r === "tick") {
      yield "tick";
      continue;
    }
    if (r.done) return;
    pending = it.next();
    yield r.value;
  }
}
