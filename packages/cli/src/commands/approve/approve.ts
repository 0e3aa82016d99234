/**
 * `kanade approve|reject <exec_id> [--digest <hex>]`: decide on an execution waiting for approval (a different
 * operator than the requester). The approval names the content digest: the one given with --digest (as printed
 * by `kanade executions <id>`), or the one the execution was requested with, which is printed before deciding.
 */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput, CliError } from "../../errors.js";
import { resolveExecId } from "../../exec-id.js";
import { escapeTerminal, printJson } from "../../output.js";

/** Said before asking the backend, which would only answer FORBIDDEN: with auth off, the requester and the caller are one. */
export const AUTH_OFF_NO_APPROVALS =
  "this backend runs with authentication off (KANADE_AUTH_DISABLE), so every caller is \"anonymous\" — the requester too — and an execution cannot be approved or rejected by a different identity. Approvals need a backend with auth on and a second operator account (kanade account create); to run the job in a sandbox, fire a version without require_approval, or kill the waiting execution";

const DIGEST_RE = /^[0-9a-f]{12,64}$/;

export function register(program: Command, deps: Deps): void {
  for (const verb of ["approve", "reject"] as const) {
    withJson(program.command(verb))
      .description(verb === "approve" ? "approve an execution waiting for approval; it is published at once" : "reject an execution waiting for approval; it never runs")
      .argument("<exec_id>", "execution id, or any unique prefix or suffix of 4+ hex digits")
      .option("--digest <hex>", "the content digest you reviewed (first 12+ hex digits); refused if the execution is for other content")
      .action(async (idText: string, opts: { digest?: string }, cmd: Command) => {
        if (opts.digest !== undefined && !DIGEST_RE.test(opts.digest)) throw badInput(`--digest: expected 12 to 64 lowercase hex digits, got "${opts.digest}"`);
        const json = wantsJson(cmd);
        const execId = await resolveExecId(deps, idText);
        const d = await deps.client.call("getExecution", { params: { exec_id: execId }, query: { rows: false } });
        const me = await deps.client.call("getMe");
        if (me.kind === "anonymous" && d.state === "pending_approval" && (d.approval?.requested_by ?? d.issued_by) === me.actor) {
          throw new CliError(AUTH_OFF_NO_APPROVALS, { code: "FORBIDDEN" });
        }
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
