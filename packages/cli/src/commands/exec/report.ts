/** What `exec` and `run` print after firing: the exec_id, or with --wait the per-PC table and the outcome. */
import type { ExecResponse } from "@kanade/protocol";
import type { Deps } from "../../deps.js";
import { CliError } from "../../errors.js";
import { executionReport } from "../../execution-rows.js";
import { printJson } from "../../output.js";
import { allSucceeded, failureReason } from "./outcome.js";
import { waitForExecution } from "./wait.js";

export interface ReportOpts {
  wait: boolean;
  json: boolean;
  failedOnly: boolean;
  /** Stop waiting after this long (exit 1); its text as the operator wrote it, for the message. */
  waitTimeout?: { ms: number; text: string };
}

/** `--all` by an account in permission groups reaches only their PCs: say so, so the count is not a surprise. */
const scopedLine = (res: ExecResponse): string =>
  res.scoped_to ? `scope: --all narrowed to the PCs of permission group(s) ${res.scoped_to.join(", ")}\n` : "";

/** Without --wait prints the answer; with it, waits for every target and exits 1 unless all succeeded. */
export async function reportExecution(deps: Deps, res: ExecResponse, opts: ReportOpts): Promise<void> {
  if (!opts.wait) {
    if (opts.json) printJson(deps.io, res);
    else deps.io.out(`exec_id: ${res.exec_id}\ntargets: ${res.target_count}\n${scopedLine(res)}${res.state === "pending_approval" ? "state: pending_approval (needs approval by another operator)\n" : ""}`);
    return;
  }
  if (!opts.json) deps.io.out(`exec_id: ${res.exec_id}\ntargets: ${res.target_count}\n${scopedLine(res)}`);
  const params = { exec_id: res.exec_id };
  const { timedOut } = await waitForExecution(
    deps,
    () => deps.client.call("getExecution", { params, query: { rows: false } }),
    opts.waitTimeout === undefined ? {} : { timeoutMs: opts.waitTimeout.ms },
  );
  // The per-PC rows once, at the end: polling them would cost the backend a row per PC every 500 ms.
  const detail = await deps.client.call("getExecution", { params });
  const rows = detail.rows ?? [];
  if (opts.json) printJson(deps.io, detail);
  else deps.io.out(executionReport(deps.io, detail, { failedOnly: opts.failedOnly }));
  if (timedOut) {
    throw new CliError(`gave up waiting after ${opts.waitTimeout?.text}: ${detail.counts.done}/${detail.target_count} done`, { code: "TIMEOUT" });
  }
  if (!allSucceeded(detail, rows)) throw new CliError(failureReason(detail, rows), { code: "RUN_FAILED" });
}
