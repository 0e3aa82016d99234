import type { Command } from "commander";
import { RESULT_STATUSES, resultStatusSchema, shortId, type ResultRecord } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { parseLimit } from "../../args.js";
import { badInput } from "../../errors.js";
import { resolveExecId } from "../../exec-id.js";
import { followRun } from "./follow.js";
import { formatAgo } from "../../format.js";
import { escapeTerminal, firstLine, formatMs, printJson, renderTable, statusStyle, type Io } from "../../output.js";

interface ResultsOpts {
  exec?: string;
  pc?: string;
  job?: string;
  status?: string;
  limit?: string;
  full?: boolean;
  iso?: boolean;
  follow?: string;
}

/** Whole outputs under headers; what came from a PC is escaped for the terminal (escapeTerminal). */
function printFull(io: Io, results: readonly ResultRecord[]): void {
  const out = (text: string): void => io.out(escapeTerminal(text));
  for (const r of results) {
    out(`=== ${r.pc_id}  ${r.status}  exit ${r.exit_code ?? "-"}  ${formatMs(r.duration_ms)}  exec ${r.exec_id}  ${r.finished_at}\n`);
    if (r.skip_reason) out(`skip reason: ${r.skip_reason}\n`);
    if (r.error) out(`error: ${r.error}\n`);
    for (const [name, text, truncated, object] of [
      ["stdout", r.stdout, r.stdout_truncated, r.stdout_object],
      ["stderr", r.stderr, r.stderr_truncated, r.stderr_object],
    ] as const) {
      const note = object !== null ? ` (whole text from result_output ${object})` : truncated ? " (truncated at 256 KiB; the whole text was not kept)" : "";
      out(`--- ${name}${note} ---\n`);
      out(text === "" || text.endsWith("\n") ? text : text + "\n");
    }
  }
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("results"))
    .description("list results, newest first")
    .option("--exec <id>", "only this execution (its id, or any unique prefix or suffix of 4+ hex digits)")
    .option("--pc <pc>", "only this PC")
    .option("--job <id>", "only this job")
    .option("--status <s>", `only this status (${RESULT_STATUSES.join(", ")})`)
    .option("--limit <n>", "at most N results")
    .option("--full", "print each result's whole stdout and stderr (fetched from result_output past 256 KiB)")
    .option("--iso", "print times as RFC 3339 instead of how long ago")
    .option("--follow <exec_id>", "print the scripts' stdout/stderr while they run, until every PC finished (with --pc: one PC)")
    .action(async (opts: ResultsOpts, cmd: Command) => {
      if (opts.follow !== undefined) return followRun(deps, await resolveExecId(deps, opts.follow, "--follow"), opts.pc);
      const status = opts.status === undefined ? undefined : resultStatusSchema.safeParse(opts.status).data;
      if (opts.status !== undefined && status === undefined) {
        throw badInput("invalid --status", [{ path: "--status", message: `expected one of ${RESULT_STATUSES.join(", ")}` }]);
      }
      const limit = parseLimit(opts.limit);
      const execId = opts.exec === undefined ? undefined : await resolveExecId(deps, opts.exec, "--exec");
      const listed = await deps.client.call("listResults", {
        query: {
          ...(execId !== undefined ? { exec_id: execId } : {}),
          ...(opts.pc !== undefined ? { pc_id: opts.pc } : {}),
          ...(opts.job !== undefined ? { job_id: opts.job } : {}),
          ...(status !== undefined ? { status } : {}),
          ...(limit !== undefined ? { limit } : {}),
        },
      });
      // --full: results whose output outgrew the inline cap are fetched whole, one by one.
      const items = opts.full
        ? await Promise.all(listed.items.map((r) => (r.stdout_object !== null || r.stderr_object !== null ? deps.client.call("getResult", { params: { result_id: r.result_id }, query: { full: true } }) : r)))
        : listed.items;
      if (wantsJson(cmd)) return printJson(deps.io, items);
      if (opts.full) return printFull(deps.io, items);
      const now = deps.now();
      deps.io.out(
        renderTable(
          ["PC", "STATUS", "JOB", "EXEC", "EXIT", "DURATION", "FINISHED", "OUTPUT"],
          items.map((r) => [
            r.pc_id,
            r.status,
            `${r.job_id} ${r.version}`,
            shortId(r.exec_id),
            r.exit_code,
            formatMs(r.duration_ms),
            opts.iso ? r.finished_at : formatAgo(r.finished_at, now),
            r.status === "skipped" && r.skip_reason ? r.skip_reason : firstLine(r.stdout) || (r.stderr.trim() ? `stderr: ${firstLine(r.stderr)}` : ""),
          ]),
          statusStyle(deps.io, 1),
        ),
      );
    });
}
