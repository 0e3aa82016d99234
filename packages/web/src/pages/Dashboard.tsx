/** Fleet at a glance: online/offline agents, last 24 h of runs, failed runs to look at. Every figure links on. */
import { useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago, StateBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { listFigure } from "../lib/activity-filter.js";
import { dashboardStats, failedCount, notSentCount } from "../lib/dashboard-stats.js";
import { formatPct } from "../lib/format.js";
import { offlineSeverity, successSeverity } from "../lib/severity.js";
import { Link } from "../router.js";

export function DashboardPage() {
  const t = useT();
  // Counted by the backend: the whole agent list would cost it about a second per read at 50,000 PCs.
  const agents = useCall("getFleetSummary", {}, { pollMs: 5000 });
  const execs = useCall("listExecutions", { query: { limit: 500 } }, { pollMs: 5000 });
  const awaiting = useCall("listExecutions", { query: { limit: 100, state: "pending_approval" } }, { pollMs: 5000 });
  const s = dashboardStats(agents.data?.agents, execs.data?.items ?? [], new Date());
  // Colour says how alarming a figure is: 300 offline PCs are trouble, a 99.5 % success rate is not.
  const offlineTone = agents.data ? offlineSeverity(s.offline, s.online + s.offline) : "neutral";
  const successTone = execs.data ? successSeverity(s.successRate) : "neutral";
  return (
    <section>
      <h1>{t("nav.dashboard")}</h1>
      <ErrorBox error={agents.error} />
      <ErrorBox error={execs.error} />
      <div className="tiles">
        <Link to="/agents?online=online" className={`tile ${s.online > 0 ? "ok" : agents.data && s.offline > 0 ? "bad" : ""}`} data-testid="tile-online">
          <span className="big" data-testid="agents-online">{agents.data ? s.online : "…"}</span>
          <span>{t("dash.agentsOnline")}</span>
        </Link>
        <Link to="/agents?online=offline" className={`tile ${offlineTone}`} data-testid="tile-offline" data-severity={offlineTone}>
          <span className="big" data-testid="agents-offline">{agents.data ? s.offline : "…"}</span>
          <span>{t("dash.agentsOffline")}</span>
        </Link>
        <Link to="/activity" className="tile" data-testid="tile-runs">
          <span className="big">{execs.data ? s.runs24h : "…"}</span>
          <span>{t("dash.runs24h")}</span>
        </Link>
        <Link to="/activity" className={`tile ${successTone}`} data-testid="tile-success" data-severity={successTone}>
          <span className="big">{formatPct(s.successRate, 1)}</span>
          <span>{t("dash.successRate")}</span>
        </Link>
        <Link to="/activity?state=pending_approval" className={`tile ${awaiting.data?.items.length ? "warn" : ""}`} data-testid="tile-awaiting">
          <span className="big" data-testid="awaiting-approval-count">{awaiting.data ? listFigure(awaiting.data) : awaiting.error ? "—" : "…"}</span>
          <span>{t("dash.awaitingApproval")}</span>
        </Link>
      </div>
      <h2>{t("dash.attention")}</h2>
      {s.attention.length === 0 ? (
        <p className="muted">{t("dash.noAttention")}</p>
      ) : (
        <div className="scroll-x">
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
        </div>
      )}
    </section>
  );
}
