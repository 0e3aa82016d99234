/**
 * `kanade approve|reject <exec_id> [--digest <hex>]`: decide on an execution waiting for approval (a different
 * operator than the requester). The approval names the content digest: the one given with --digest (as printed
 * by `kanade executions <id>`), or the one the execution was requested with, which is printed before deciding.
 */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { escapeTerminal, printJson } from "../../output.js";

const DIGEST_RE = /^[0-9a-f]{12,64}$/;

export function register(program: Command, deps: Deps): void {
  for (const verb of ["approve", "reject"] as const) {
    withJson(program.command(verb))
      .description(verb === "approve" ? "approve an execution waiting for approval; it is published at once" : "reject an execution waiting for approval; it never runs")
      .argument("<exec_id>", "execution id")
      .option("--digest <hex>", "the content digest you reviewed (first 12+ hex digits); refused if the execution is for other content")
      .action(async (execId: string, opts: { digest?: string }, cmd: Command) => {
        if (opts.digest !== undefined && !DIGEST_RE.test(opts.digest)) throw badInput(`--digest: expected 12 to 64 lowercase hex digits, got "${opts.digest}"`);
        const json = wantsJson(cmd);
        const d = await deps.client.call("getExecution", { params: { exec_id: execId }, query: { rows: false } });
        const digest = opts.digest ?? d.approval?.manifest_digest ?? undefined;
        if (!json && verb === "approve" && d.manifest_digest) {
          deps.io.err(escapeTerminal(`${d.job_id} ${d.version} on ${d.target_count} PC(s), requested by ${d.approval?.requested_by ?? d.issued_by}; content ${d.manifest_digest.slice(0, 12)}\n`));
        }
        const body = verb === "approve" && digest ? { manifest_digest: digest } : {};
        const r = await deps.client.call(verb === "approve" ? "approveExecution" : "rejectExecution", { params: { exec_id: execId }, body });
        if (json) return printJson(deps.io, r);
        deps.io.out(`${verb === "approve" ? "approved" : "rejected"} ${execId} (${r.state})\n`);
      });
  }
}
