/** `kanade run`: run a script at PCs without writing a job first (an ad-hoc run; issue 17 §1). */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Command } from "commander";
import { SHELLS, parseDurationMs, runRequestSchema, type ErrorDetail, type RunRequest, type Shell } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { buildExecRequest, type TargetFlags } from "../../targets.js";
import { reportExecution } from "../exec/report.js";

interface RunOpts extends TargetFlags {
  shell?: string;
  timeout?: string;
  file?: string;
  runAs?: string;
  wait?: boolean;
  waitTimeout?: string;
  failedOnly?: boolean;
}

/** `--file x.ps1` without `--shell` runs it with the shell its extension names. */
const SHELL_OF_EXT: Record<string, Shell> = { ".ps1": "powershell", ".cmd": "cmd", ".bat": "cmd", ".sh": "sh", ".bash": "bash" };

const FLAG_OF: Record<string, string> = { shell: "--shell", script: "<script>", timeout: "--timeout", run_as: "--run-as" };

/** The script exactly as the operator gave it: the file's bytes, or the words after `--` joined by spaces. */
function scriptOf(words: readonly string[], file: string | undefined): string {
  if (file !== undefined && words.length > 0) throw badInput("give the script after -- or with --file, not both");
  if (file === undefined) {
    if (words.length === 0) throw badInput("no script: give it after -- (kanade run --pcs pc1 -- hostname) or with --file");
    return words.join(" ");
  }
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw badInput(`cannot read --file ${file}: ${(err as Error).message}`);
  }
}

export function buildRunRequest(words: readonly string[], opts: RunOpts): RunRequest {
  const script = scriptOf(words, opts.file);
  const shell = opts.shell ?? (opts.file !== undefined ? SHELL_OF_EXT[extname(opts.file).toLowerCase()] : undefined);
  const body = {
    ...buildExecRequest(opts),
    script,
    ...(shell !== undefined ? { shell } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    ...(opts.runAs !== undefined ? { run_as: opts.runAs } : {}),
  };
  const parsed = runRequestSchema.safeParse(body);
  if (parsed.success) return body as RunRequest;
  const details: ErrorDetail[] = parsed.error.issues.map((i) => ({ path: FLAG_OF[String(i.path[0])] ?? String(i.path[0] ?? ""), message: i.message }));
  throw badInput("invalid run arguments", details);
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("run"))
    .description("run a script on PCs without a job (an ad-hoc run): kanade run --pcs pc1 --shell sh -- uname -a")
    .argument("[script...]", "the script, after --")
    .option("--pcs <pc...>", "target PCs (repeat, space- or comma-separated)")
    .option("--groups <g...>", "target groups (repeat, space- or comma-separated)")
    .option("--all", "target every agent")
    .option("--shell <shell>", `${SHELLS.join(" | ")} (default powershell, or what --file's extension says)`)
    .option("--file <path>", "run this file's contents instead of the words after --")
    .option("--timeout <dur>", "the agent kills the script after this long (default 60s)")
    .option("--run-as <who>", "system | user | system_gui (default system)")
    .option("--jitter <dur>", "each agent waits a random 0..jitter before running, e.g. 5m")
    .option("--deadline <rfc3339>", "agents skip the run (exit 125) after this time")
    .option("--during-freeze", "run even though a fleet freeze holds (audited as such)")
    .option("--wait", "wait for every target, print the per-PC table; exit 1 unless all succeeded")
    .option("--failed-only", "with --wait: print only the PCs that did not succeed (and the summary)")
    .option("--wait-timeout <dur>", "with --wait: stop waiting after this long (exit 1)")
    .action(async (words: string[], opts: RunOpts, cmd: Command): Promise<void> => {
      const body = buildRunRequest(words, opts);
      let waitTimeout: { ms: number; text: string } | undefined;
      if (opts.waitTimeout !== undefined) {
        const ms = parseDurationMs(opts.waitTimeout);
        if (ms === undefined) throw badInput("invalid --wait-timeout", [{ path: "--wait-timeout", message: "expected a duration like 30s, 5m, 1h" }]);
        waitTimeout = { ms, text: opts.waitTimeout };
      }
      const res = await deps.client.call("createRun", { body });
      await reportExecution(deps, res, {
        wait: opts.wait === true,
        json: wantsJson(cmd),
        failedOnly: opts.failedOnly === true,
        ...(waitTimeout ? { waitTimeout } : {}),
      });
    });
}
