/** `kanade job from-run <exec_id> --id … --version …`: promote an ad-hoc run's script to a job. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { resolveExecId } from "../../exec-id.js";
import { printJson } from "../../output.js";

interface FromRunOpts {
  id?: string;
  version?: string;
  description?: string;
}

export function register(job: Command, deps: Deps): void {
  withJson(job.command("from-run"))
    .description("make a job from an ad-hoc run (kanade run): the same shell, script, timeout and run_as")
    .argument("<exec_id>", "the ad-hoc run's exec_id (or a unique part of it)")
    .option("--id <id>", "the new job's id")
    .option("--version <v>", "the new job's version (semver)")
    .option("--description <text>", "the new job's description")
    .action(async (execArg: string, opts: FromRunOpts, cmd: Command) => {
      const missing = [...(opts.id === undefined ? ["--id"] : []), ...(opts.version === undefined ? ["--version"] : [])];
      if (missing.length > 0) throw badInput(`give ${missing.join(" and ")}`, missing.map((path) => ({ path, message: "required" })));
      const execId = await resolveExecId(deps, execArg);
      const body = { id: opts.id!, version: opts.version!, ...(opts.description !== undefined ? { description: opts.description } : {}) };
      const r = await deps.client.call("promoteRun", { params: { exec_id: execId }, body });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`job ${r.id} ${r.version} stored from run ${execId}\nrun it with: kanade exec ${r.id} --pcs <pc>…\n`);
    });
}
