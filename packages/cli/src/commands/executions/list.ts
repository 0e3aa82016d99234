import type { Command } from "commander";
import type { ExecutionSummary, ExecutionView } from "@kanade/protocol";
import { parseLimit } from "../../args.js";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { escapeTerminal, printJson, renderTable } from "../../output.js";
import { rowsTable } from "../../execution-rows.js";

const failedCount = (s: ExecutionSummary): number => s.counts.failed + s.counts.timed_out + s.counts.killed + s.counts.error;

/** What an approver decides on: who asked, until when, and — while it waits — the exact script that would run. */
function approvalLines(d: ExecutionView): string {
  const a = d.approval;
  if (!a) return "";
  const decided = a.decision ? `${a.decision}${a.decided_by ? ` by ${a.decided_by}` : ""}${a.decided_at ? ` at ${a.decided_at}` : ""}` : "waiting";
  let out = `approval: ${decided} (requested by ${a.requested_by}, expires ${a.expires_at})\n`;
  if (d.state === "pending_approval" && a.manifest) {
    const ex = a.manifest.execute;
    const body = ex.script ?? (ex.script_object ? `script object ${ex.script_object}` : "");
    out += `shell: ${ex.shell}, timeout ${ex.timeout}, run as ${ex.run_as}\nscript:\n${body.replace(/^/gm, "  | ")}\n`;
    out += `approve exactly this content: kanade approve ${d.exec_id} --digest ${(a.manifest_digest ?? "").slice(0, 12)}\n`;
  }
  return out;
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("executions"))
    .description("list executions, or show one execution's per-PC rows")
    .argument("[exec_id]", "an execution to show in detail")
    .option("--limit <n>", "how many executions to list")
    .action(async (execId: string | undefined, opts: { limit?: string }, cmd: Command) => {
      const json = wantsJson(cmd);
      if (execId !== undefined) {
        const d = await deps.client.call("getExecution", { params: { exec_id: execId } });
        if (json) return printJson(deps.io, d);
        const c = d.counts;
        deps.io.out(
          escapeTerminal(
            `exec_id: ${d.exec_id}\njob: ${d.job_id} ${d.version}\nstate: ${d.state}${d.state_reason ? ` (${d.state_reason})` : ""}\n` +
              `created: ${d.created_at} by ${d.issued_by}\n` +
              (d.manifest_digest ? `content: ${d.manifest_digest}\n` : "") +
              approvalLines(d) +
              `progress: ${c.done}/${d.target_count} done, ${c.succeeded} succeeded, ${failedCount(d)} failed, ${c.skipped} skipped, ${c.running} running, ${c.pending} pending` +
              (c.not_sent ? `, ${c.not_sent} not sent` : "") +
              "\n\n",
          ) + rowsTable(deps.io, d.rows ?? []),
        );
        return;
      }
      const limit = parseLimit(opts.limit);
      const { items } = await deps.client.call("listExecutions", { query: limit === undefined ? {} : { limit } });
      if (json) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["EXEC_ID", "JOB", "VERSION", "STATE", "DONE/TOTAL", "OK", "FAILED", "CREATED"],
          items.map((s) => [s.exec_id, s.job_id, s.version, s.state, `${s.counts.done}/${s.target_count}`, s.counts.succeeded, failedCount(s), s.created_at]),
        ),
      );
    });
}
