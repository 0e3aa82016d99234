import type { Command } from "commander";
import type { ExecutionSummary } from "@kanade/protocol";
import { parseLimit } from "../../args.js";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { escapeTerminal, printJson, renderTable } from "../../output.js";
import { rowsTable } from "./rows.js";

const failedCount = (s: ExecutionSummary): number => s.counts.failed + s.counts.timed_out + s.counts.killed + s.counts.error;

export function register(program: Command, deps: Deps): void {
  withJson(program.command("executions"))
    .description("list executions, or show one execution's per-PC rows")
    .argument("[exec_id]", "an execution to show in detail")
    .option("--limit <n>", "how many executions to list")
    .action(async (execId: string | undefined, opts: { limit?: string }, cmd: Command) => {
      const json = wantsJson(cmd);
      if (execId !== undefined) {
        const d = await deps.client.getExecution(execId);
        if (json) return printJson(deps.io, d);
        const c = d.counts;
        deps.io.out(
          escapeTerminal(
            `exec_id: ${d.exec_id}\njob: ${d.job_id} ${d.version}\nstate: ${d.state}\ncreated: ${d.created_at} by ${d.issued_by}\n` +
              `progress: ${c.done}/${d.target_count} done, ${c.succeeded} succeeded, ${failedCount(d)} failed, ${c.skipped} skipped, ${c.running} running, ${c.pending} pending\n\n`,
          ) + rowsTable(deps.io, d),
        );
        return;
      }
      const { items } = await deps.client.listExecutions(parseLimit(opts.limit));
      if (json) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["EXEC_ID", "JOB", "VERSION", "STATE", "DONE/TOTAL", "OK", "FAILED", "CREATED"],
          items.map((s) => [s.exec_id, s.job_id, s.version, s.state, `${s.counts.done}/${s.target_count}`, s.counts.succeeded, failedCount(s), s.created_at]),
        ),
      );
    });
}
