import type { Command } from "commander";
import { countOf, ROW_STATUSES, shortId, type ExecutionView } from "@kanade/protocol";
import { parseLimit } from "../../args.js";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { resolveExecId } from "../../exec-id.js";
import { formatAgo } from "../../format.js";
import { escapeTerminal, printJson, renderTable } from "../../output.js";
import { executionReport } from "../../execution-rows.js";

/** One column per outcome, named as the API names the status; running and pending are what DONE/TOTAL leaves. */
const OUTCOMES = ROW_STATUSES.filter((s) => s !== "running" && s !== "pending");

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
    .argument("[exec_id]", "an execution to show in detail: its id, or any unique prefix or suffix of 4+ hex digits (the UI's 8-digit tail)")
    .option("--limit <n>", "how many executions to list")
    .option("--failed-only", "with <exec_id>: list only the PCs that did not succeed")
    .option("--iso", "print times as RFC 3339 instead of how long ago")
    .action(async (idText: string | undefined, opts: { limit?: string; failedOnly?: boolean; iso?: boolean }, cmd: Command) => {
      const json = wantsJson(cmd);
      if (idText !== undefined) {
        const execId = await resolveExecId(deps, idText);
        const d = await deps.client.call("getExecution", { params: { exec_id: execId } });
        if (json) return printJson(deps.io, d);
        deps.io.out(
          escapeTerminal(
            `exec_id: ${d.exec_id}\njob: ${d.job_id} ${d.version}\nstate: ${d.state}${d.state_reason ? ` (${d.state_reason})` : ""}\n` +
              `created: ${d.created_at} by ${d.issued_by}\n` +
              (d.manifest_digest ? `content: ${d.manifest_digest}\n` : "") +
              approvalLines(d) +
              `progress: ${d.counts.done}/${d.target_count} done\n\n`,
          ) + executionReport(deps.io, d, { failedOnly: opts.failedOnly === true }),
        );
        return;
      }
      const limit = parseLimit(opts.limit);
      const { items } = await deps.client.call("listExecutions", { query: limit === undefined ? {} : { limit } });
      if (json) return printJson(deps.io, items);
      const now = deps.now();
      deps.io.out(
        renderTable(
          ["EXEC", "JOB", "VERSION", "STATE", "DONE/TOTAL", ...OUTCOMES.map((s) => s.toUpperCase()), "CREATED"],
          items.map((s) => [
            shortId(s.exec_id),
            s.job_id,
            s.version,
            s.state,
            `${s.counts.done}/${s.target_count}`,
            ...OUTCOMES.map((o) => countOf(s.counts, o)),
            opts.iso ? s.created_at : formatAgo(s.created_at, now),
          ]),
        ),
      );
    });
}
