/** The fleet's event timeline: agent start/stop, online/offline, boots, logons, script events; filterable. */
import { EVENT_KINDS, type EventKind } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { useApi, useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { EventKindBadge } from "../components/EventKind.js";
import { Ago } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { useOlderPages } from "../lib/use-older-pages.js";
import { eventSummary } from "../lib/timeline.js";
import { Link, useRouter } from "../router.js";

const SINCE_HOURS = [1, 24, 24 * 7, 24 * 30] as const;

export function EventsPage() {
  const t = useT();
  const { api } = useApi();
  const { search, navigate } = useRouter();
  const pc = search.get("pc") ?? "";
  const kind = (search.get("kind") ?? "") as EventKind | "";
  const hours = Number(search.get("hours") ?? "24");
  const [pcText, setPcText] = useState(pc);
  useEffect(() => setPcText(pc), [pc]);
  const setFilter = (next: Record<string, string>): void => {
    const q = new URLSearchParams({ ...(pc ? { pc } : {}), ...(kind ? { kind } : {}), hours: String(hours), ...next });
    for (const [k, v] of [...q.entries()]) if (!v) q.delete(k);
    navigate(`/events?${q.toString()}`, { replace: true });
  };
  // The window start moves on with each poll; rounded to the minute so the query (and its key) stays put meanwhile.
  const since = new Date(Math.floor((Date.now() - hours * 3_600_000) / 60_000) * 60_000).toISOString();
  const query = { limit: 200, since, ...(pc ? { pc } : {}), ...(kind ? { kind } : {}) };
  const events = useCall("listEvents", { query }, { pollMs: 5000 });
  const { rows, cursor, loadOlder, error: olderError } = useOlderPages(
    events.data,
    (cursor) => api.call("listEvents", { query: { ...query, cursor } }),
    JSON.stringify([pc, kind, hours]),
  );
  return (
    <section>
      <h1>{t("events.title")}</h1>
      <div className="row filters">
        <input
          name="pc"
          placeholder={t("events.filterPc")}
          aria-label={t("events.filterPc")}
          value={pcText}
          onChange={(e) => setPcText(e.target.value)}
          onBlur={() => setFilter({ pc: pcText.trim() })}
          onKeyDown={(e) => e.key === "Enter" && setFilter({ pc: pcText.trim() })}
        />
        <select name="kind" aria-label={t("events.col.kind")} value={kind} onChange={(e) => setFilter({ kind: e.target.value })}>
          <option value="">{t("common.all")}</option>
          {EVENT_KINDS.map((k) => (
            <option key={k} value={k}>{t(`events.kind.${k}`)}</option>
          ))}
        </select>
        <select name="hours" aria-label={t("events.since")} value={String(hours)} onChange={(e) => setFilter({ hours: e.target.value })}>
          {SINCE_HOURS.map((h) => (
            <option key={h} value={String(h)}>{t("events.lastHours", { n: h })}</option>
          ))}
        </select>
      </div>
      <ErrorBox error={events.error ?? olderError} />
      {events.data && rows.length === 0 && <p className="muted">{t("events.empty")}</p>}
      {rows.length > 0 && (
        <table data-testid="events-table">
          <thead>
            <tr>
              <th>{t("events.col.time")}</th>
              <th>{t("events.col.pc")}</th>
              <th>{t("events.col.kind")}</th>
              <th>{t("events.col.details")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.event_id} data-event-kind={e.kind}>
                <td title={e.at}><Ago iso={e.at} /></td>
                <td className="mono"><Link to={`/agents/${encodeURIComponent(e.pc_id)}`}>{e.pc_id}</Link></td>
                <td><EventKindBadge kind={e.kind} /></td>
                <td>{e.exec_id ? <Link to={`/activity/${e.exec_id}`}>{eventSummary(e)}</Link> : eventSummary(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadOlder()}>{t("activity.more")}</button>
      )}
    </section>
  );
}
