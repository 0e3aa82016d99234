/** One PC: facts, groups (editable), effective config, recent runs, its timeline (runs and events), live performance. */
import type { EffectiveConfig } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { DataView } from "../components/DataView.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { LivePerf } from "../components/LivePerf.js";
import { TagsEditor } from "../components/TagsEditor.js";
import { Ago, OnlineBadge, StatusBadge } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { liveCpu, liveMem, osLabel } from "../lib/agent-filter.js";
import { formatDuration, formatPct } from "../lib/format.js";
import { Link } from "../router.js";
import { EventKindBadge } from "../components/EventKind.js";
import { eventSummary, mergeTimeline, type TimelineEntry } from "../lib/timeline.js";

const CATEGORIES = [
  ["hw", "agent.hardware"],
  ["os", "agent.os"],
  ["net", "agent.network"],
  ["sw", "agent.software"],
] as const;

/** Static groups are edited here; groups a PC is in by a dynamic group's query are shown, not editable. */
function GroupsEditor({ pc, onSaved }: { pc: string; onSaved(): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const view = useCall("getAgentGroups", { params: { pc } }, { pollMs: 10_000 });
  const groups = view.data?.static ?? view.data?.groups;
  const dynamic = view.data?.dynamic ?? [];
  const [text, setText] = useState("");
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const shown = (groups ?? []).join(", ");
  useEffect(() => setText(shown), [shown]);
  const save = async (): Promise<void> => {
    setError(undefined);
    setMsg(undefined);
    const list = text.split(/[,\s]+/).map((g) => g.trim()).filter(Boolean);
    try {
      await api.call("setAgentGroups", { params: { pc }, body: { groups: [...new Set(list)] } });
      setMsg(t("agent.groupsSaved"));
      view.reload();
      onSaved();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <div>
      <p className="muted small">{t("agent.groupsHelp")}</p>
      {dynamic.length > 0 && (
        <p data-testid="dynamic-groups">
          {t("agent.dynamicGroups")}{" "}
          {dynamic.map((g) => (
            <Link key={g} to={`/groups?g=${encodeURIComponent(g)}`} className="badge">{g}</Link>
          ))}
        </p>
      )}
      <div className="row">
        <input name="groups" value={text} onChange={(e) => setText(e.target.value)} aria-label={t("agent.groups")} />
        <button type="button" onClick={() => void save()} disabled={!canOperate}>{t("common.save")}</button>
      </div>
      {msg && <p className="ok-text" role="status">{msg}</p>}
      <ErrorBox error={error} />
    </div>
  );
}

/** Runs and events of the PC, newest first. */
function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const t = useT();
  if (entries.length === 0) return <p className="muted">{t("agent.noTimeline")}</p>;
  return (
    <ol className="timeline">
      {entries.map((e) =>
        e.type === "run" ? (
          <li key={`r-${e.run.result_id}`} data-entry="run">
            <span className="muted small" title={e.at}><Ago iso={e.at} /></span>{" "}
            <span className="badge">{t("agent.timelineRun")}</span> <Link to={`/results/${e.run.result_id}`}>{e.run.job_id}</Link>{" "}
            <StatusBadge status={e.run.status} />
          </li>
        ) : (
          <li key={`e-${e.event.event_id}`} data-entry="event" data-event-kind={e.event.kind}>
            <span className="muted small" title={e.at}><Ago iso={e.at} /></span> <EventKindBadge kind={e.event.kind} /> {eventSummary(e.event)}
          </li>
        ),
      )}
    </ol>
  );
}

export function AgentDetailPage({ pc }: { pc: string }) {
  const t = useT();
  const params = { pc };
  const agent = useCall("getAgent", { params }, { pollMs: 10_000 });
  const inv = useCall("getInventory", { params });
  const cfg = useCall("getEffectiveConfig", { params });
  const results = useCall("listResults", { query: { pc_id: pc, limit: 20 } }, { pollMs: 5000 });
  const events = useCall("listEvents", { query: { pc, limit: 50 } }, { pollMs: 5000 });
  const a = agent.data;
  return (
    <section>
      <h1 className="mono">
        {pc} {a && <OnlineBadge online={a.online} />}
      </h1>
      <ErrorBox error={agent.error} />
      {a && (
        <dl className="agent-facts" data-testid="agent-summary">
          <div><dt>{t("agents.col.host")}</dt><dd>{a.hostname ?? "—"}</dd></div>
          <div><dt>{t("agents.os")}</dt><dd>{osLabel(a) || "—"}</dd></div>
          <div><dt>{t("agents.col.user")}</dt><dd>{a.logged_in_user ?? "—"}</dd></div>
          <div><dt>{t("agents.col.ip")}</dt><dd className="mono">{(a.ip_addresses ?? []).join(", ") || "—"}</dd></div>
          <div><dt>{t("agents.col.cpu")} / {t("agents.col.mem")}</dt><dd>{a.online ? `${formatPct(liveCpu(a))} / ${formatPct(liveMem(a))}` : t("agents.loadOffline")}</dd></div>
          <div><dt>kanade-agent</dt><dd>{a.agent_version ?? "—"}</dd></div>
          <div><dt>kanade-client</dt><dd data-testid="client-version">{a.client_version ?? "—"}</dd></div>
          <div><dt>{t("agents.col.lastSeen")}</dt><dd><Ago iso={a.last_seen} /></dd></div>
        </dl>
      )}
      <LivePerf pc={pc} online={a?.online} />
      <div className="cols">
        <section className="card">
          <h2>{t("agent.groups")}</h2>
          {a && <GroupsEditor pc={pc} onSaved={agent.reload} />}
        </section>
        <section className="card">
          <h2>{t("tags.title")}</h2>
          <TagsEditor pc={pc} onSaved={agent.reload} />
        </section>
        <section className="card">
          <h2>{t("agent.effectiveConfig")}</h2>
          <ErrorBox error={cfg.error} />
          {cfg.data && (
            <table>
              <tbody>
                {Object.entries(cfg.data.effective).map(([k, v]) => (
                  <tr key={k}>
                    <th className="mono">{k}</th>
                    <td className="mono">{String(v)}</td>
                    <td className="muted">{cfg.data?.sources[k as keyof EffectiveConfig["sources"]] ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <section className="card">
        <h2>{t("agent.recent")}</h2>
        <ErrorBox error={results.error} />
        {results.data && results.data.items.length === 0 && <p className="muted">{t("agent.noRecent")}</p>}
        {results.data && results.data.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>{t("activity.col.job")}</th>
                <th>{t("activity.col.status")}</th>
                <th>{t("activity.col.exit")}</th>
                <th>{t("activity.col.duration")}</th>
                <th>{t("activity.finished")}</th>
              </tr>
            </thead>
            <tbody>
              {results.data.items.map((r) => (
                <tr key={r.result_id}>
                  <td><Link to={`/results/${r.result_id}`}>{r.job_id}</Link></td>
                  <td><StatusBadge status={r.status} /></td>
                  <td className="mono">{r.exit_code ?? "—"}</td>
                  <td>{formatDuration(r.duration_ms)}</td>
                  <td><Ago iso={r.finished_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" data-testid="agent-timeline">
        <h2>{t("agent.timeline")}</h2>
        <ErrorBox error={events.error} />
        {events.data && results.data && (
          <Timeline entries={mergeTimeline(events.data.items, results.data.items, 50)} />
        )}
        <p className="small"><Link to={`/events?pc=${encodeURIComponent(pc)}`}>{t("agent.allEvents")}</Link></p>
      </section>
      <section className="card">
        <h2>{t("agent.facts")}</h2>
        <ErrorBox error={inv.error} />
        {inv.data && Object.keys(inv.data.categories).length === 0 && <p className="muted">{t("agent.noFacts")}</p>}
        {inv.data &&
          CATEGORIES.map(([cat, key]) => {
            const c = inv.data?.categories[cat];
            return c ? (
              <details key={cat} open={cat !== "sw"}>
                <summary>
                  {t(key)} <span className="muted small"><Ago iso={c.collected_at} /></span>
                </summary>
                <DataView value={c.data} />
              </details>
            ) : null;
          })}
      </section>
    </section>
  );
}
