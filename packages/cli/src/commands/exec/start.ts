import type { Command } from "commander";
import { parseDurationMs, parseWaves, type ExecRequest, type RolloutStart } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput, CliError } from "../../errors.js";
import { confirm, escapeTerminal, printJson } from "../../output.js";
import { buildExecRequest, type TargetFlags } from "../../targets.js";
import { reportExecution } from "./report.js";

interface ExecOpts extends TargetFlags {
  waves?: string;
  abortIf?: string;
  minResults?: string;
  wait?: boolean;
  timeout?: string;
  yes?: boolean;
  failedOnly?: boolean;
}

/**
 * `--all` on a terminal asks first, naming the count the backend resolves ("Run hello 1.0.0 on 303 PCs?"),
 * so a whole-fleet run is never one keystroke away. Scripts (no terminal) and `--yes` go straight on.
 */
async function confirmWholeFleet(deps: Deps, jobId: string, req: ExecRequest): Promise<void> {
  const p = await deps.client.call("previewExec", { params: { job_id: jobId }, body: req });
  const offline = p.offline > 0 ? ` (${p.offline} offline now: they run it when they reconnect)` : "";
  const approval = p.require_approval ? " It waits for approval by another operator first." : "";
  const question = escapeTerminal(`Run ${p.job_id} ${p.version} on ${p.target_count} PC${p.target_count === 1 ? "" : "s"}${offline}?${approval}`, { singleLine: true });
  if (!(await confirm(deps.io, question))) throw new CliError("not confirmed; nothing was run (use --yes to skip the question)");
}

/** `--waves`: a rollout instead of one execution (see `kanade rollout status`). */
async function startWaves(deps: Deps, jobId: string, req: ExecRequest, opts: ExecOpts, json: boolean): Promise<void> {
  const waves = parseWaves(opts.waves ?? "");
  if (!waves.ok) throw badInput("invalid --waves", [{ path: "--waves", message: waves.message }]);
  const rate = opts.abortIf === undefined ? undefined : Number(opts.abortIf);
  if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw badInput("invalid --abort-if", [{ path: "--abort-if", message: "expected a share from 0 to 1, e.g. 0.2" }]);
  const min = opts.minResults === undefined ? undefined : Number(opts.minResults);
  if (min !== undefined && !(Number.isInteger(min) && min >= 1)) throw badInput("invalid --min-results", [{ path: "--min-results", message: "expected a whole number of at least 1" }]);
  const target = { ...(req.pcs ? { pcs: req.pcs } : {}), ...(req.groups ? { groups: req.groups } : {}), ...(req.all ? { all: true as const } : {}) };
  const body = {
    job: jobId,
    target,
    waves: waves.waves,
    ...(rate !== undefined ? { abort_if_failure_rate: rate } : {}),
    ...(min !== undefined ? { min_results: min } : {}),
    ...(req.jitter ? { jitter: req.jitter } : {}),
    ...(req.during_freeze ? { during_freeze: true } : {}),
  };
  const v = await deps.client.call("startWaveRollout", { body: body as RolloutStart });
  if (json) return printJson(deps.io, v);
  deps.io.out(`rollout: ${v.id}
targets: ${v.target_count} in ${v.waves.length} wave(s)
follow it with: kanade rollout status ${v.id}
`);
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("exec"))
    .description("run a job on PCs, groups or the whole fleet")
    .argument("<job>", "job id")
    .option("--pcs <pc...>", "target PCs (repeat, space- or comma-separated)")
    .option("--groups <g...>", "target groups (repeat, space- or comma-separated)")
    .option("--all", "target every agent (on a terminal, asks first with the PC count)")
    .option("-y, --yes", "with --all: do not ask")
    .option("--jitter <dur>", "each agent waits a random 0..jitter before running, e.g. 5m")
    .option("--deadline <rfc3339>", "agents skip the run (exit 125) after this time")
    .option("--during-freeze", "run even though a fleet freeze holds (audited as such)")
    .option("--waves <waves>", "send it wave by wave: <group>:<after> or <N>%:<after>, comma-separated (canary:0m,wave1:30m,100%:2h)")
    .option("--abort-if <rate>", "with --waves: abort when this share of answers failed (0-1, default 0.2)")
    .option("--min-results <n>", "with --waves: judge the failure rate once this many PCs answered (default 5)")
    .option("--wait", "wait for every target, print the per-PC table and a per-status summary; exit 1 unless all succeeded")
    .option("--failed-only", "with --wait: print only the PCs that did not succeed (and the summary)")
    .option("--timeout <dur>", "with --wait: stop waiting after this long (exit 1)")
    .action(async (jobId: string, opts: ExecOpts, cmd: Command): Promise<void> => {
      const req = buildExecRequest(opts);
      if (opts.waves !== undefined) return startWaves(deps, jobId, req, opts, wantsJson(cmd));
      let timeoutMs: number | undefined;
      if (opts.timeout !== undefined) {
        timeoutMs = parseDurationMs(opts.timeout);
        if (timeoutMs === undefined) throw badInput("invalid --timeout", [{ path: "--timeout", message: "expected a duration like 30s, 5m, 1h" }]);
      }
      const json = wantsJson(cmd);
      if (req.all && !opts.yes && deps.io.ask) await confirmWholeFleet(deps, jobId, req);
      const res = await deps.client.call("execJob", { params: { job_id: jobId }, body: req });
      await reportExecution(deps, res, {
        wait: opts.wait === true,
        json,
        failedOnly: opts.failedOnly === true,
        ...(timeoutMs !== undefined && opts.timeout !== undefined ? { waitTimeout: { ms: timeoutMs, text: opts.timeout } } : {}),
      });
    });
}
