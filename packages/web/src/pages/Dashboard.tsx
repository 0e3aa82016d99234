/** Fleet at a glance: online/offline agents, last 24 h of runs, failed runs to look at. Every figure links on. */
import { useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago, StateBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { listFigure } from "../lib/activity-filter.js";
import { dashboardStats, failedCount, notSentCount } from "../lib/dashboard-stats.js";
import { formatPct } from "../lib/format.js";
import { Link } from "../router.js";

export function DashboardPage() {
  const t = useT();
  const agents = useCall("listAgents", {}, { pollMs: 5000 });
  const execs = useCall("listExecutions", { query: { limit: 500 } }, { pollMs: 5000 });
  const awaiting = useCall("listExecutions", { query: { limit: 100, state: "pending_approval" } }, { pollMs: 5000 });
  const s = dashboardStats(agents.data?.items ?? [], execs.data?.items ?? [], new Date());
  return (
    <section>
      <h1>{t("nav.dashboard")}</h1>
      <ErrorBox error={agents.error} />
      <ErrorBox error={execs.error} />
      <div className="tiles">
        <Link to="/agents?online=online" className="tile ok">
          <span className="big" data-testid="agents-online">{agents.data ? s.online : "…"}</span>
          <span>{t("dash.agentsOnline")}</span>
        </Link>
        <Link to="/agents?online=offline" className="tile">
          <span className="big" data-testid="agents-offline">{agents.data ? s.offline : "…"}</span>
          <span>{t("dash.agentsOffline")}</span>
        </Link>
        <Link to="/activity" className="tile">
          <span className="big">{execs.data ? s.runs24h : "…"}</span>
          <span>{t("dash.runs24h")}</span>
        </Link>
        <Link to="/activity" className={`tile ${s.failed > 0 ? "bad" : "ok"}`}>
          <span className="big">{formatPct(s.successRate, 1)}</span>
          <span>{t("dash.successRate")}</span>
        </Link>
        <Link to="/activity?state=pending_approval" className={`tile ${awaiting.data?.items.length ? "warn" : ""}`}>
          <span className="big" data-testid="awaiting-approval-count">{awaiting.data ? listFigure(awaiting.data) : awaiting.error ? "—" : "…"}</span>
          <span>{t("dash.awaitingApproval")}</span>
        </Link>
      </div>
      <h2>{t("dash.attention")}</h2>
      {s.attention.length === 0 ? (
        <p className="muted">{t("dash.noAttention")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t("activity.col.job")}</th>
              <th>{t("activity.col.state")}</th>
              <th>{t("activity.col.progress")}</th>
              <th>{t("activity.col.created")}</th>
            </tr>
          </thead>
          <tbody>
            {s.attention.map((e) => (
              <tr key={e.exec_id}>
                <td>
                  <Link to={`/activity/${e.exec_id}`}>{e.job_id}</Link>
                </td>
                <td>
                  <StateBadge state={e.state} reason={e.state_reason} />
                </td>
                <td className="bad-text">
                  {failedCount(e) > 0 || notSentCount(e) === 0
                    ? t("dash.failedOf", { failed: failedCount(e), total: e.counts.total })
                    : t("dash.notSentOf", { n: notSentCount(e), total: e.counts.total })}
                </td>
                <td>
                  <Ago iso={e.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
