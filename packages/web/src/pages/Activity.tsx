/** Executions, newest first, with per-PC progress refreshed every two seconds; `?state=` narrows the list. */
import type { ExecutionSummary } from "@kanade/protocol";
import { useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall } from "../api/context.js";
import { CopyId } from "../components/CopyId.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Progress } from "../components/Progress.js";
import { Ago, StateBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { ACTIVITY_STATES, activityLink, activityState, asActivityState, executionsInput, type ActivityState } from "../lib/activity-filter.js";
import { Link, useRouter } from "../router.js";

export function ActivityPage() {
  const t = useT();
  const { api } = useApi();
  const { search, navigate } = useRouter();
  const state = activityState(search);
  const head = useCall("listExecutions", executionsInput(state), { pollMs: 2000 });
  const [older, setOlder] = useState<{ state: string | null; items: ExecutionSummary[] }>({ state, items: [] });
  const [cursor, setCursor] = useState<{ state: string | null; next: string | null } | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>();
  // Pages loaded under another filter do not belong to this list.
  const olderItems = older.state === state ? older.items : [];
  const olderCursor = cursor?.state === state ? cursor.next : undefined;
  const next = olderCursor === undefined ? head.data?.next_cursor : olderCursor;
  const loadOlder = async (): Promise<void> => {
    if (!next) return;
    try {
      const r = await api.call("listExecutions", executionsInput(state, next));
      setOlder({ state, items: [...olderItems, ...r.items] });
      setCursor({ state, next: r.next_cursor });
    } catch (err) {
      setError(asError(err));
    }
  };
  // Completed executions are stored as running (completion is computed), so the filter says both.
  const stateLabel = (s: ActivityState): string => (s === "running" ? t("activity.runningOrCompleted") : t(`state.${s}`));
  const seen = new Set<string>();
  const items = [...(head.data?.items ?? []), ...olderItems].filter((e) => !seen.has(e.exec_id) && seen.add(e.exec_id));
  return (
    <section>
      <h1>{t("activity.title")}</h1>
      <div className="filters">
        <label>
          {t("activity.col.state")}
          <select name="state" value={state ?? ""} onChange={(ev) => navigate(activityLink(asActivityState(ev.target.value)))}>
            <option value="">{t("common.all")}</option>
            {ACTIVITY_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {state && (
        <p className="row" data-testid="activity-filter">
          <span>{t("activity.filtered", { state: stateLabel(state) })}</span>
          <Link to="/activity">{t("activity.showAll")}</Link>
        </p>
      )}
      <ErrorBox error={head.error ?? error} />
      {head.data && items.length === 0 && <p className="muted">{t("activity.empty")}</p>}
      {items.length > 0 && (
        <div className="scroll-x">
        <table data-testid="executions" className="activity">
          <thead>
            <tr>
              <th>{t("activity.col.job")}</th>
              <th>{t("activity.col.state")}</th>
              <th>{t("activity.col.progress")}</th>
              <th className="c-created">{t("activity.col.created")}</th>
              <th className="c-by">{t("activity.col.by")}</th>
              <th className="c-exec">{t("activity.col.exec")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.exec_id} data-exec={e.exec_id} data-job={e.job_id} data-state={e.state} className={e.state === "pending_approval" ? "awaiting" : undefined}>
                <td><Link to={`/activity/${e.exec_id}`}>{e.job_id}</Link> <span className="muted small">{e.version}</span></td>
                <td><StateBadge state={e.state} reason={e.state_reason} /></td>
                <td>
                  {e.state === "pending_approval" ? (
                    <Link to={`/activity/${e.exec_id}`} className="warn-text">{t("activity.awaiting", { n: e.target_count })}</Link>
                  ) : (
                    <Progress counts={e.counts} />
                  )}
                </td>
                <td className="c-created"><Ago iso={e.created_at} /></td>
                <td className="c-by">{e.issued_by}</td>
                <td className="small c-exec"><CopyId id={e.exec_id} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {next && <button type="button" onClick={() => void loadOlder()}>{t("activity.more")}</button>}
    </section>
  );
}
