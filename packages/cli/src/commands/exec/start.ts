import type { Command } from "commander";
import { parseDurationMs } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput, CliError } from "../../errors.js";
import { printJson } from "../../output.js";
import { buildExecRequest, type TargetFlags } from "../../targets.js";
import { rowsTable } from "../../execution-rows.js";
import { allSucceeded, failureReason } from "./outcome.js";
import { waitForExecution } from "./wait.js";

interface ExecOpts extends TargetFlags {
  wait?: boolean;
  timeout?: string;
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("exec"))
    .description("run a job on PCs, groups or the whole fleet")
    .argument("<job>", "job id")
    .option("--pcs <pc...>", "target PCs (repeat, space- or comma-separated)")
    .option("--groups <g...>", "target groups (repeat, space- or comma-separated)")
    .option("--all", "target every agent")
    .option("--jitter <dur>", "each agent waits a random 0..jitter before running, e.g. 5m")
    .option("--deadline <rfc3339>", "agents skip the run (exit 125) after this time")
    .option("--wait", "wait for every target and print the per-PC table; exit 1 unless all succeeded")
    .option("--timeout <dur>", "with --wait: stop waiting after this long (exit 1)")
    .action(async (jobId: string, opts: ExecOpts, cmd: Command): Promise<void> => {
      const req = buildExecRequest(opts);
      let timeoutMs: number | undefined;
      if (opts.timeout !== undefined) {
        timeoutMs = parseDurationMs(opts.timeout);
        if (timeoutMs === undefined) throw badInput("invalid --timeout", [{ path: "--timeout", message: "expected a duration like 30s, 5m, 1h" }]);
      }
      const json = wantsJson(cmd);
      const res = await deps.client.call("execJob", { params: { job_id: jobId }, body: req });
      if (!opts.wait) {
        if (json) printJson(deps.io, res);
        else deps.io.out(`exec_id: ${res.exec_id}\ntargets: ${res.target_count}\n${res.state === "pending_approval" ? "state: pending_approval (needs approval by another operator)\n" : ""}`);
        return;
      }
      if (!json) deps.io.out(`exec_id: ${res.exec_id}\ntargets: ${res.target_count}\n`);
      const params = { exec_id: res.exec_id };
      const { timedOut } = await waitForExecution(
        deps,
        () => deps.client.call("getExecution", { params, query: { rows: false } }),
        timeoutMs === undefined ? {} : { timeoutMs },
      );
      // The per-PC rows once, at the end: polling them would cost the backend a row per PC every 500 ms.
      const detail = await deps.client.call("getExecution", { params });
      const rows = detail.rows ?? [];
      if (json) printJson(deps.io, detail);
      else deps.io.out(rowsTable(deps.io, rows));
      if (timedOut) {
        throw new CliError(`gave up waiting after ${opts.timeout}: ${detail.counts.done}/${detail.target_count} done`, { code: "TIMEOUT" });
      }
      if (!allSucceeded(detail, rows)) throw new CliError(failureReason(detail, rows), { code: "RUN_FAILED" });
    });
}
