/**
 * One execution, built for triage at fleet scale: counts per status as filters, a PC search, each row's story
 * (skip reason, first stderr line, first stdout line), whole rows clickable, and how many offline PCs it waits
 * for. Approve/Reject while it waits (disabled, with the reason, when this identity cannot decide), Kill and
 * Revoke; every action confirmed with a button that says what it does.
 */
import { ADHOC_JOB_ID, rowStory, skipReasons, type ExecutionRow, type ExecutionView } from "@kanade/protocol";
import { useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { Confirm } from "../components/Confirm.js";
import { CopyId } from "../components/CopyId.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { LiveTail } from "../components/LiveTail.js";
import { Progress } from "../components/Progress.js";
import { Ago, StateBadge, StatusBadge } from "../components/Status.js";
import { VirtualRows } from "../components/VirtualRows.js";
import { useT } from "../i18n/context.js";
import { approvalView, type ApprovalView } from "../lib/auth.js";
import { filterRows, killTargets, rowQuery, rowSearch, statusChips, type RowFilter, type RowQuery } from "../lib/execution-filter.js";
import { formatDuration, shortId } from "../lib/format.js";
import { Link, useRouter } from "../router.js";

type Pending = "kill" | "revoke" | "approve" | "reject" | null;
const ROW = 34;

function Rows({ rows }: { rows: readonly ExecutionRow[] }) {
  const t = useT();
  return (
    <VirtualRows
      items={rows}
      rowHeight={ROW}
      height={Math.min(560, Math.max(120, (rows.length + 1) * ROW + 4))}
      header={
        <div className="vrow head exec-grid" role="row">
          <span role="columnheader">{t("activity.col.pc")}</span>
          <span role="columnheader">{t("activity.col.status")}</span>
          <span role="columnheader" className="c-exit">{t("activity.col.exit")}</span>
          <span role="columnheader" className="c-duration">{t("activity.col.duration")}</span>
          <span role="columnheader" className="c-output">{t("activity.col.output")}</span>
        </div>
      }
      row={(r) => {
        const story = rowStory(r);
        // The whole row opens the PC's result (or the PC, while it has none).
        const to = r.result_id ? `/results/${r.result_id}` : `/agents/${encodeURIComponent(r.pc_id)}`;
        return (
          <Link key={r.pc_id} to={to} className="vrow exec-grid rowlink" data-testid="exec-row" data-pc={r.pc_id} data-status={r.status} data-online={r.online === undefined ? undefined : String(r.online)}>
            <span className="mono ellipsis">{r.pc_id}</span>
            <span>
              <StatusBadge status={r.status} />
              {r.status === "pending" && r.online === false && <span className="badge s-offline" data-testid="offline">{t("common.offline")}</span>}
            </span>
            <span className="mono c-exit">{r.exit_code ?? "—"}</span>
            <span className="c-duration">{formatDuration(r.duration_ms)}</span>
            <span className={`ellipsis c-output ${story?.stream === "stderr" ? "bad-text mono" : story?.stream === "skip" ? "warn-text" : "mono"}`} title={story?.text}>
              {story ? (story.stream === "stderr" ? `stderr: ${story.text}` : story.text) : ""}
            </span>
          </Link>
        );
      }}
    />
  );
}

function Triage({ view, query, onQuery }: { view: ExecutionView; query: RowQuery; onQuery(q: RowQuery): void }) {
  const t = useT();
  const rows = view.rows ?? [];
  const shown = filterRows(rows, query);
  const reasons = skipReasons(rows);
  const chipLabel = (f: RowFilter): string => (f === "offline" ? t("activity.offlinePending") : t(`status.${f}`));
  return (
    <section className="triage">
      <div className="chips" role="group" aria-label={t("activity.filterByStatus")}>
        <button type="button" className="chip" aria-pressed={query.status === null} onClick={() => onQuery({ ...query, status: null })}>
          {t("common.all")} <span className="n">{rows.length}</span>
        </button>
        {statusChips(view).map(({ filter, n }) => (
          <button
            key={filter}
            type="button"
            className={`chip s-${filter}`}
            data-filter={filter}
            aria-pressed={query.status === filter}
            onClick={() => onQuery({ ...query, status: query.status === filter ? null : filter })}
          >
            {chipLabel(filter)} <span className="n">{n}</span>
          </button>
        ))}
        <input type="search" name="pc" aria-label={t("activity.searchPc")} placeholder={t("activity.searchPc")} value={query.pc} onChange={(e) => onQuery({ ...query, pc: e.target.value })} />
      </div>
      {reasons.length > 0 && (
        <p className="small warn-text" data-testid="skip-reasons">
          {t("activity.skipReasons")}: {reasons.map((r) => `${r.reason} (${r.n})`).join(" · ")}
        </p>
      )}
      <p className="muted small" data-testid="rows-shown">{t("activity.rowsShown", { shown: shown.length, total: rows.length })}</p>
      {shown.length > 0 && <Rows rows={shown} />}
    </section>
  );
}

/** The one note under the header while it waits for approval: who asked, and why this identity cannot decide. */
function AwaitingNote({ e, approval }: { e: ExecutionView; approval: ApprovalView }) {
  const t = useT();
  const { me } = useApi();
  const why =
    approval.blocked === "authOff"
      ? t("activity.authOffNoApproval")
      : approval.blocked === "own"
        ? t("activity.ownRequest")
        : approval.blocked === "role"
          ? t("common.needsOperator", { role: t(`role.${me.role}`) })
          : t("activity.decideHelp");
  return (
    <div className="awaiting-note" role="status" data-testid="awaiting-approval">
      <p>{t("activity.awaitingHelp", { by: e.issued_by, n: e.target_count })}</p>
      <p id="approval-blocked" data-testid="approval-blocked" data-reason={approval.blocked ?? "none"}>
        <strong>{why}</strong>
      </p>
    </div>
  );
}

/** What an ad-hoc run ran, exactly as submitted (and how to keep it as a job). */
function AdhocScriptView({ execId }: { execId: string }) {
  const t = useT();
  const s = useCall("getRunScript", { params: { exec_id: execId } });
  if (!s.data) return null;
  return (
    <div className="approval-content" data-testid="adhoc-script">
      <p className="muted small">
        {t("run.adhocOf", { by: s.data.created_by })} · {s.data.shell} · {s.data.timeout} · {s.data.run_as}
      </p>
      <pre className="mono">{s.data.script}</pre>
      <p className="muted small">{t("run.promoteHint", { id: execId })}</p>
    </div>
  );
}

export function ExecutionPage({ execId }: { execId: string }) {
  const t = useT();
  const { api, me } = useApi();
  const canOperate = useCanOperate();
  const { search, navigate, path } = useRouter();
  const params = { exec_id: execId };
  const d = useCall("getExecution", { params }, { pollMs: 1000 });
  const [confirm, setConfirm] = useState<Pending>(null);
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const e = d.data;
  const query = rowQuery(search);
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
  const confirmOf = (what: Exclude<Pending, null>, ex: ExecutionView): { message: string; label: string } => {
    const vars = { id: shortId(execId), job: ex.job_id, n: what === "kill" ? killTargets(ex) : ex.target_count };
    return { message: t(`activity.${what}Confirm`, vars), label: t(`activity.${what}Action`, vars) };
  };
  const target = e ? (e.target.all ? t("jobs.target.all") : [...(e.target.pcs ?? []), ...(e.target.groups ?? []).map((g) => `@${g}`)].join(", ")) : "";
  const running = e?.state === "running" || e?.state === "pending_approval";
  const asked = confirm && e ? confirmOf(confirm, e) : null;
  return (
    <section className="execution">
      <h1>
        {e?.job_id ?? "…"} {e && <span className="muted small">{e.version}</span>} <CopyId id={execId} testId="exec-id" />
      </h1>
      <ErrorBox error={d.error} />
      {e && (
        <>
          <div className="row exec-head">
            <StateBadge state={e.state} reason={e.state_reason} />
            <span className="ellipsis target" title={target}>{t("activity.target")}: {target}</span>
            <span>{e.issued_by}</span>
            <Ago iso={e.created_at} />
          </div>
          <div className="row actions exec-actions">
            {approval?.pending && (
              <>
                <button type="button" className="approve" onClick={() => setConfirm("approve")} disabled={!approval.canDecide} aria-describedby="approval-blocked">
                  {t("activity.approve")}
                </button>
                <button type="button" className="danger" onClick={() => setConfirm("reject")} disabled={!approval.canDecide} aria-describedby="approval-blocked">
                  {t("activity.reject")}
                </button>
              </>
            )}
            <button type="button" className="danger" onClick={() => setConfirm("kill")} disabled={!canOperate || !running} title={roleNote}>
              {t("activity.kill")}
            </button>
            {/* An ad-hoc run has no job to revoke. */}
            {e.job_id !== ADHOC_JOB_ID && (
              <button type="button" className="danger" onClick={() => setConfirm("revoke")} disabled={!canOperate} title={roleNote}>{t("activity.revoke")}</button>
            )}
          </div>
          {approval?.pending && <AwaitingNote e={e} approval={approval} />}
          {e.state_reason && (
            <p className={e.state === "failed_to_publish" ? "warn-text" : "muted"} data-testid="state-reason">
              {e.state === "failed_to_publish" ? t("activity.notPublished", { reason: e.state_reason }) : e.state_reason}
            </p>
          )}
          {e.state === "running" && (e.offline_waiting ?? 0) > 0 && (
            <p className="warn-text" data-testid="offline-waiting">
              {t("activity.waitingOffline", { n: e.offline_waiting ?? 0 })}
            </p>
          )}
          {e.job_id === ADHOC_JOB_ID && <AdhocScriptView execId={execId} />}
          {approval?.pending && e.approval?.manifest && (
            <div className="approval-content" data-testid="approval-content">
              <p>
                {t("activity.contentDigest")}: <code className="mono digest">{e.approval.manifest_digest}</code>
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
          {e.state === "running" && e.rows && <LiveTail execId={execId} rows={e.rows} />}
          <Triage view={e} query={query} onQuery={(q) => navigate(`${path}${rowSearch(q)}`, { replace: true })} />
        </>
      )}
      {confirm && asked && (
        <Confirm
          message={asked.message}
          confirmLabel={asked.label}
          tone={confirm === "approve" ? "primary" : "danger"}
          onConfirm={() => void act(confirm)}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}
