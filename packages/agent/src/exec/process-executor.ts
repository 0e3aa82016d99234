/** The real executor: stage the script, spawn it, capture output, clean up. */
import { stat } from "node:fs/promises";
import type { Logger } from "pino";
import type { Platform } from "../platform/index.js";
import type { ScriptObjectSource } from "../script-objects.js";
import type { Executor, RunContext, RunOutcome } from "./executor.js";
import { argvFor } from "./launcher.js";
import { runProcess, type ProcessOutcome } from "./run.js";
import { scriptEnv } from "./script-env.js";
import { stageScript } from "./stage.js";

type ExecutorDeps = {
  dataDir: string;
  platform: Platform;
  log: Logger;
  scriptObjects?: ScriptObjectSource;
  /** Credential values the agent holds (from env, TOML or registry): never passed on to a script. */
  secrets?: readonly string[];
};

export function processExecutor(deps: ExecutorDeps): Executor {
  return {
    unsupportedReason(cmd) {
      if (cmd.script === undefined && !deps.scriptObjects) return "script_object commands are not supported by this agent version";
      return deps.platform.unsupportedReason(cmd.shell);
    },
    async run(ctx) {
      return runStaged(deps, ctx);
    },
  };
}

async function runStaged(deps: ExecutorDeps, ctx: RunContext): Promise<RunOutcome> {
  const { cmd } = ctx;
  // Node reports a missing cwd as "spawn sh ENOENT", which would blame the shell; say what is wrong.
  if (cmd.cwd !== undefined && !(await stat(cmd.cwd).then((s) => s.isDirectory(), () => false))) {
    return errorOutcome(`cwd ${cmd.cwd} is not a directory on this agent`);
  }
  let body = cmd.script;
  if (body === undefined && cmd.script_object !== undefined && deps.scriptObjects) {
    // Verified against script_sha256 before staging: a mismatch runs nothing.
    const fetched = await deps.scriptObjects.fetch(cmd.script_object, cmd.script_sha256);
    if (!fetched.ok) return errorOutcome(fetched.error);
    body = fetched.body;
  }
  let staged;
  try {
    staged = await stageScript(deps.dataDir, cmd.shell, body ?? "");
  } catch (err) {
    return errorOutcome(`could not stage the script: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const outcome = await runProcess({
      argv: deps.platform.argv(argvFor(cmd.shell, staged.entryPath), cmd.run_as),
      cwd: cmd.cwd ?? staged.dir,
      env: scriptEnv(process.env, deps.secrets ?? [], { pcId: ctx.pcId, execId: cmd.exec_id, jobId: cmd.job_id, jobVersion: cmd.version }),
      timeoutMs: cmd.timeout_secs * 1000,
      signal: ctx.signal,
      platform: deps.platform,
      ...(ctx.outputDir !== undefined ? { outputDir: ctx.outputDir } : {}),
    });
    for (const e of [outcome.stdout.spoolError, outcome.stderr.spoolError]) {
      if (e !== undefined) deps.log.error({ exec_id: cmd.exec_id, job_id: cmd.job_id, problem: e }, "full output not kept; the result has the first 256 KiB");
    }
    for (const [stream, t] of [["stdout", outcome.stdout], ["stderr", outcome.stderr]] as const) {
      if (t.fullCapped) deps.log.warn({ exec_id: cmd.exec_id, job_id: cmd.job_id, stream, total_bytes: t.totalBytes }, "full output cut at the spool cap");
    }
    return toRunOutcome(outcome);
  } finally {
    await staged.remove().catch((err: unknown) => deps.log.warn({ err, dir: staged.dir, exec_id: cmd.exec_id }, "could not remove staging folder"));
  }
}

function toRunOutcome(o: ProcessOutcome): RunOutcome {
  const status =
    o.kind === "spawn_error" ? "error" : o.kind === "exited" ? (o.exitCode === 0 ? "succeeded" : "failed") : o.kind;
  return {
    status,
    exitCode: o.exitCode,
    stdout: o.stdout.text,
    stderr: o.stderr.text,
    stdoutTruncated: o.stdout.truncated,
    stderrTruncated: o.stderr.truncated,
    ...(o.stdout.fullPath !== undefined ? { stdoutFile: o.stdout.fullPath } : {}),
    ...(o.stderr.fullPath !== undefined ? { stderrFile: o.stderr.fullPath } : {}),
    ...(o.error !== undefined ? { error: o.error } : {}),
  };
}

export const errorOutcome = (error: string): RunOutcome => ({
  status: "error",
  exitCode: null,
  stdout: "",
  stderr: "",
  stdoutTruncated: false,
  stderrTruncated: false,
  error,
});
