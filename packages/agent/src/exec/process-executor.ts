/** The real executor: stage the script, spawn it, capture output, clean up. */
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Platform } from "../platform/index.js";
import type { ScriptObjectSource } from "../script-objects.js";
import type { Executor, RunContext, RunOutcome } from "./executor.js";
import { argvFor } from "./launcher.js";
import { runProcess, type ProcessOutcome } from "./run.js";
import { scriptEnv } from "./script-env.js";
import { EVENTS_FILE_NAME, readScriptEvents } from "../events/script-events.js";
import { stageScript, stagingRoot } from "./stage.js";

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
    async reapOrphan(p) {
      // Without a start time a recycled pid cannot be told apart: better leave it than kill a stranger.
      if (p.start === undefined) return { state: "unverifiable", reason: `no start time was recorded for pid ${p.pid}` };
      return deps.platform.reapOrphan(p.pid, p.start);
    },
    removeLeftoverStaging: () => removeStagingDirs(deps),
  };
}

/** Every folder under agent-scripts/: called at start, when no run of this process has staged yet. */
async function removeStagingDirs(deps: ExecutorDeps): Promise<void> {
  const root = stagingRoot(deps.dataDir);
  const names = await readdir(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  for (const name of names) {
    await rm(join(root, name), { recursive: true, force: true });
    deps.log.info({ dir: join(root, name) }, "removed a staging folder left by an interrupted run");
  }
}

/** Records the spawned pid with its start time (looked up without holding up the run). */
function reportSpawn(deps: ExecutorDeps, ctx: RunContext, pid: number): void {
  if (!ctx.onSpawn) return;
  const report = ctx.onSpawn.bind(ctx);
  deps.platform.processStartTime(pid).then(
    (start) => report(start === undefined ? { pid } : { pid, start }),
    (err: unknown) => {
      deps.log.warn({ err, pid, exec_id: ctx.cmd.exec_id }, "could not read the script's start time; a crash of the agent would leave it running");
      report({ pid });
    },
  );
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
  const eventsFile = join(staged.dir, EVENTS_FILE_NAME);
  try {
    const outcome = await runProcess({
      argv: deps.platform.argv(argvFor(cmd.shell, staged.entryPath), cmd.run_as),
      cwd: cmd.cwd ?? staged.dir,
      env: scriptEnv(process.env, deps.secrets ?? [], { pcId: ctx.pcId, execId: cmd.exec_id, jobId: cmd.job_id, jobVersion: cmd.version, eventsFile }),
      timeoutMs: cmd.timeout_secs * 1000,
      signal: ctx.signal,
      platform: deps.platform,
      onSpawn: (pid) => reportSpawn(deps, ctx, pid),
      ...(ctx.onOutput ? { onOutput: ctx.onOutput } : {}),
      ...(ctx.outputDir !== undefined ? { outputDir: ctx.outputDir } : {}),
    });
    for (const e of [outcome.stdout.spoolError, outcome.stderr.spoolError]) {
      if (e !== undefined) deps.log.error({ exec_id: cmd.exec_id, job_id: cmd.job_id, problem: e }, "full output not kept; the result has the first 256 KiB");
    }
    if (outcome.kill !== undefined && outcome.kill.survivors.length > 0) {
      deps.log.error({ exec_id: cmd.exec_id, job_id: cmd.job_id, pids: outcome.kill.survivors, problem: outcome.kill.problem }, "process tree still running after the kill");
    } else if (outcome.kill?.problem !== undefined) {
      deps.log.warn({ exec_id: cmd.exec_id, job_id: cmd.job_id, problem: outcome.kill.problem }, "the kill reported a problem, but the tree is gone");
    }
    for (const [stream, t] of [["stdout", outcome.stdout], ["stderr", outcome.stderr]] as const) {
      if (t.fullCapped) deps.log.warn({ exec_id: cmd.exec_id, job_id: cmd.job_id, stream, total_bytes: t.totalBytes }, "full output cut at the spool cap");
    }
    const events = await readScriptEvents(eventsFile);
    if (events.problems.length > 0) deps.log.warn({ exec_id: cmd.exec_id, job_id: cmd.job_id, problems: events.problems.slice(0, 10) }, "script events refused");
    return { ...toRunOutcome(outcome), ...(events.lines.length + events.problems.length > 0 ? { events } : {}) };
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
