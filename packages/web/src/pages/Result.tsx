/** One PC's result: status, exit code, duration and paged stdout/stderr (monospace, unicode as sent). */
import { useState } from "react";
import { useCall } from "../api/context.js";
import { CopyId } from "../components/CopyId.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago, StatusBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { formatDuration } from "../lib/format.js";
import { pageOfText } from "../lib/paging.js";
import { Link } from "../router.js";

function Output({ title, text, truncated, testId }: { title: string; text: string; truncated: boolean; testId: string }) {
  const t = useT();
  const [page, setPage] = useState(0);
  const p = pageOfText(text, page);
  return (
    <section className="card">
      <h2>{title}</h2>
      {truncated && <p className="warn-text">{t("activity.truncated")}</p>}
      {p.pages > 1 && (
        <div className="row">
          <button type="button" disabled={p.page === 0} onClick={() => setPage(p.page - 1)}>{t("common.prev")}</button>
          <span className="small">{t("activity.lines", { from: p.firstLine, to: p.lastLine, total: p.totalLines })}</span>
          <button type="button" disabled={p.page >= p.pages - 1} onClick={() => setPage(p.page + 1)}>{t("common.next")}</button>
        </div>
      )}
      <pre className="output" data-testid={testId}>{p.totalLines === 0 ? t("activity.noOutput") : p.text}</pre>
    </section>
  );
}

export function ResultPage({ resultId }: { resultId: string }) {
  const t = useT();
  const r = useCall("getResult", { params: { result_id: resultId } });
  const x = r.data;
  return (
    <section>
      <ErrorBox error={r.error} />
      {x && (
        <>
          <h1>{t("activity.result", { pc: x.pc_id })}</h1>
          <div className="row">
            <StatusBadge status={x.status} />
            <Link to={`/activity/${x.exec_id}`}>{x.job_id} {x.version}</Link>
            <span>{t("activity.exitCode")}: <span className="mono" data-testid="exit-code">{x.exit_code ?? "—"}</span></span>
            <span>{t("activity.duration")}: {formatDuration(x.duration_ms)}</span>
            <span>{t("activity.finished")}: <Ago iso={x.finished_at} /></span>
          </div>
          <dl className="ids" data-testid="result-ids">
            <div>
              <dt>{t("activity.col.exec")}</dt>
              <dd>
                <Link to={`/activity/${x.exec_id}`}>{x.job_id} {x.version}</Link> <CopyId id={x.exec_id} testId="result-exec-id" />
              </dd>
            </div>
            <div>
              <dt>{t("activity.resultId")}</dt>
              <dd>
                <CopyId id={x.result_id} testId="result-id" />
              </dd>
            </div>
          </dl>
          {x.skip_reason && <p className="warn-text">{t("activity.skipReason")}: {x.skip_reason}</p>}
          {x.error && <ErrorBox error={x.error} />}
          <Output title={t("activity.stdout")} text={x.stdout} truncated={x.stdout_truncated} testId="stdout" />
          <Output title={t("activity.stderr")} text={x.stderr} truncated={x.stderr_truncated} testId="stderr" />
        </>
      )}
    </section>
  );
}
