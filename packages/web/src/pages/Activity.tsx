/** Executions, newest first, with per-PC progress refreshed every two seconds. */
import type { ExecutionSummary, ListResponse } from "@kanade/protocol";
import { useState } from "react";
import { ApiError } from "../api/client.js";
import { useApi, useGet } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Progress } from "../components/Progress.js";
import { Ago, StateBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { shortId } from "../lib/format.js";
import { Link } from "../router.js";

export function ActivityPage() {
  const t = useT();
  const { api } = useApi();
  const head = useGet<ListResponse<ExecutionSummary>>("/api/executions?limit=50", 2000);
  const [older, setOlder] = useState<ExecutionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>();
  const next = cursor === undefined ? head.data?.next_cursor : cursor;
  const loadOlder = async (): Promise<void> => {
    if (!next) return;
    try {
      const r = await api.get<ListResponse<ExecutionSummary>>(`/api/executions?limit=50&cursor=${encodeURIComponent(next)}`);
      setOlder((o) => [...o, ...r.items]);
      setCursor(r.next_cursor);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const seen = new Set<string>();
  const items = [...(head.data?.items ?? []), ...older].filter((e) => !seen.has(e.exec_id) && seen.add(e.exec_id));
  return (
    <section>
      <h1>{t("activity.title")}</h1>
      <ErrorBox error={head.error ?? error} path="/api/executions" />
      {head.data && items.length === 0 && <p className="muted">{t("activity.empty")}</p>}
      {items.length > 0 && (
        <table data-testid="executions">
          <thead>
            <tr>
              <th>{t("activity.col.job")}</th>
              <th>{t("activity.col.state")}</th>
              <th>{t("activity.col.progress")}</th>
              <th>{t("activity.col.created")}</th>
              <th>{t("activity.col.by")}</th>
              <th>{t("activity.col.exec")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.exec_id} data-exec={e.exec_id} data-job={e.job_id}>
                <td><Link to={`/activity/${e.exec_id}`}>{e.job_id}</Link> <span className="muted small">{e.version}</span></td>
                <td><StateBadge state={e.state} /></td>
                <td><Progress counts={e.counts} /></td>
                <td><Ago iso={e.created_at} /></td>
                <td>{e.issued_by}</td>
                <td className="mono small"><Link to={`/activity/${e.exec_id}`}>{shortId(e.exec_id)}</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button type="button" onClick={() => void loadOlder()}>{t("activity.more")}</button>}
    </section>
  );
}
