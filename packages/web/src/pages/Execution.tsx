/** One execution: per-PC rows updating live; Approve/Reject while it waits, Kill and Revoke; all confirmed first. */
import type { ExecutionView } from "@kanade/protocol";
import { useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { Confirm } from "../components/Confirm.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Progress } from "../components/Progress.js";
import { Ago, StateBadge, StatusBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { approvalView } from "../lib/auth.js";
import { formatDuration, shortId } from "../lib/format.js";
import { Link } from "../router.js";

type Pending = "kill" | "revoke" | "approve" | "reject" | null;

export function ExecutionPage({ execId }: { execId: string }) {
  const t = useT();
  const { api, me } = useApi();
  const canOperate = useCanOperate();
  const params = { exec_id: execId };
  const d = useCall("getExecution", { params }, { pollMs: 1000 });
  const [confirm, setConfirm] = useState<Pending>(null);
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const e = d.data;
  const act = async (what: Exclude<Pending, null>): Promise<void> => {
    setConfirm(null);
    setError(undefined);
    if (!e) return;
    try {
      if (what === "approve" || what === "reject") {
        // The approval names the content this page showed, so a different content can never be approved by it.
        const body = what === "approve" && e.approval?.manifest_digest ? { manifest_digest: e.approval.manifest_digest } : {};
        await api.call(what === "approve" ? "approveExecution" : "rejectExecution", { params, body });
        setMsg(t(what === "approve" ? "activity.approvedMsg" : "activity.rejectedMsg"));
      } else if (what === "kill") {
        await api.call("killExecution", { params });
        setMsg(t("activity.killed"));
      } else {
        await api.call("revokeJob", { params: { id: e.job_id } });
        setMsg(t("activity.revoked", { job: e.job_id }));
      }
      d.reload();
    } catch (err) {
      setError(asError(err));
    }
  };
  const approval = e ? approvalView(e, me) : undefined;
  const roleNote = canOperate || !me ? undefined : t("common.needsOperator", { role: t(`role.${me.role}`) });
  const confirmMessage = (what: Exclude<Pending, null>, ex: ExecutionView): string => {
    const vars = { id: shortId(execId), job: ex.job_id, n: ex.target_count };
    if (what === "approve") return t("activity.approveConfirm", vars);
    if (what === "reject") return t("activity.rejectConfirm", vars);
    if (what === "kill") return t("activity.killConfirm", vars);
    return t("activity.revokeConfirm", vars);
  };
  const target = e ? (e.target.all ? t("jobs.target.all") : [...(e.target.pcs ?? []), ...(e.target.groups ?? []).map((g) => `@${g}`)].join(", ")) : "";
  return (
    <section>
      <h1>
        {e?.job_id ?? "…"} <span className="muted small mono">{execId}</span>
      </h1>
      <ErrorBox error={d.error} />
      {e && (
        <>
          <div className="row">
            <StateBadge state={e.state} reason={e.state_reason} />
            <span>{t("activity.target")}: {target}</span>
            <span>{e.issued_by}</span>
            <Ago iso={e.created_at} />
            <span className="spacer" />
            {approval?.pending && (
              <>
                <button type="button" className="approve" onClick={() => setConfirm("approve")} disabled={!approval.canDecide} title={roleNote}>
                  {t("activity.approve")}
                </button>
                <button type="button" className="danger" onClick={() => setConfirm("reject")} disabled={!approval.canDecide} title={roleNote}>
                  {t("activity.reject")}
                </button>
              </>
            )}
            <button type="button" className="danger" onClick={() => setConfirm("kill")} disabled={!canOperate || (e.state !== "running" && e.state !== "pending_approval")} title={roleNote}>
              {t("activity.kill")}
            </button>
            <button type="button" className="danger" onClick={() => setConfirm("revoke")} disabled={!canOperate} title={roleNote}>{t("activity.revoke")}</button>
          </div>
          {approval?.pending && (
            <div className="awaiting-note" role="status" data-testid="awaiting-approval">
              {t("activity.awaitingHelp", { by: e.issued_by })}
              {approval.ownRequest && <> {t("activity.ownRequest")}</>}
            </div>
          )}
          {e.state_reason && (
            <p className={e.state === "failed_to_publish" ? "warn-text" : "muted"} data-testid="state-reason">
              {e.state === "failed_to_publish" ? t("activity.notPublished", { reason: e.state_reason }) : e.state_reason}
            </p>
          )}
          {approval?.pending && e.approval?.manifest && (
            <div className="approval-content" data-testid="approval-content">
              <p>
                {t("activity.contentDigest")}: <code className="mono">{e.approval.manifest_digest}</code>
              </p>
              <p className="muted small">
                {e.approval.manifest.execute.shell} · {e.approval.manifest.execute.timeout} · {e.approval.manifest.execute.run_as}
              </p>
              <pre className="mono" data-testid="approval-script">
                {e.approval.manifest.execute.script ?? e.approval.manifest.execute.script_object ?? ""}
              </pre>
            </div>
          )}
          {msg && <p className="ok-text" role="status">{msg}</p>}
          <ErrorBox error={error} />
          <Progress counts={e.counts} />
          <table data-testid="execution-rows">
            <thead>
              <tr>
                <th>{t("activity.col.pc")}</th>
                <th>{t("activity.col.status")}</th>
                <th>{t("activity.col.exit")}</th>
                <th>{t("activity.col.duration")}</th>
                <th>{t("activity.col.output")}</th>
              </tr>
            </thead>
            <tbody>
              {(e.rows ?? []).map((r) => (
                <tr key={r.pc_id} data-pc={r.pc_id} data-status={r.status}>
                  <td className="mono"><Link to={`/agents/${encodeURIComponent(r.pc_id)}`}>{r.pc_id}</Link></td>
                  <td>{r.result_id ? <Link to={`/results/${r.result_id}`}><StatusBadge status={r.status} /></Link> : <StatusBadge status={r.status} />}</td>
                  <td className="mono">{r.exit_code ?? "—"}</td>
                  <td>{formatDuration(r.duration_ms)}</td>
                  <td className="mono ellipsis">{r.stdout_first_line ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {confirm && e && (
        <Confirm
          message={confirmMessage(confirm, e)}
          tone={confirm === "approve" ? "primary" : "danger"}
          onConfirm={() => void act(confirm)}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}
