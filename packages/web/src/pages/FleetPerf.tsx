/**
 * The hottest PCs across the fleet: a snapshot from `getFleetPerf`, kept current by `watchFleetPerf`. Only
 * samples that describe PCs now are ranked: PCs that are offline, or whose newest sample is old, are left out
 * (and can be shown, greyed, with the age of their sample), so a PC gone for two minutes never tops the list.
 */
import { FLEET_PERF_SORTS, type FleetPerfSort, type HostPerf } from "@kanade/protocol";
import { useEffect, useMemo, useState } from "react";
import { useApi, useCall } from "../api/context.js";
import { openPerfSocket } from "../api/perf-socket.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { liveAndStale, mergeLatest } from "../lib/fleet-board.js";
import { formatBytes, formatPct, formatRate } from "../lib/format.js";
import { isStale } from "../lib/severity.js";
import { Link, useRouter } from "../router.js";

function Meter({ pct }: { pct: number }) {
  return <span className="meter"><span style={{ width: `${Math.min(100, Math.max(0, pct))}%` }} /></span>;
}

function PerfRow({ s, stale, online }: { s: HostPerf; stale: boolean; online: boolean | undefined }) {
  const t = useT();
  return (
    <tr data-pc={s.pc_id} data-stale={stale || undefined} className={stale ? "stale" : undefined}>
      <td className="mono">
        <Link to={`/agents/${encodeURIComponent(s.pc_id)}`}>{s.pc_id}</Link>{" "}
        {stale && <span className="badge s-offline">{online === false ? t("common.offline") : t("perf.staleSample")}</span>}
      </td>
      <td className="num"><Meter pct={s.cpu_pct} />{formatPct(s.cpu_pct)}</td>
      <td className="num"><Meter pct={s.mem_total_bytes ? (s.mem_used_bytes / s.mem_total_bytes) * 100 : 0} />{formatBytes(s.mem_used_bytes)} / {formatBytes(s.mem_total_bytes)}</td>
      <td className="num c-disk">{formatRate(s.disk_read_bytes_per_sec + s.disk_write_bytes_per_sec)}</td>
      <td className="num c-net">{formatRate(s.net_rx_bytes_per_sec + s.net_tx_bytes_per_sec)}</td>
      <td><Ago iso={s.at} /></td>
    </tr>
  );
}

export function FleetPerfPage() {
  const t = useT();
  const { api } = useApi();
  const { search, navigate, path } = useRouter();
  const [sort, setSort] = useState<FleetPerfSort>("cpu");
  const showStale = search.get("stale") === "1";
  const snap = useCall("getFleetPerf", { query: { sort, limit: 100_000 } }, { pollMs: 30_000 });
  const agents = useCall("listAgents", {}, { pollMs: 10_000 });
  const [board, setBoard] = useState<Map<string, HostPerf>>(new Map());
  const [live, setLive] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (snap.data) setBoard((b) => mergeLatest(b, snap.data?.items ?? []));
  }, [snap.data]);
  useEffect(
    () =>
      openPerfSocket(api, { route: "watchFleetPerf" }, {
        onHost: (s) => setBoard((b) => mergeLatest(b, [s])),
        onState: (s) => setLive(s === "open"),
      }),
    [api],
  );
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(id);
  }, []);
  const online = useMemo(() => new Map((agents.data?.items ?? []).map((a) => [a.pc_id, a.online])), [agents.data]);
  const rows = liveAndStale(board, sort, (s) => !isStale(s.at, online.get(s.pc_id), now), 100);
  const header = (
    <thead>
      <tr>
        <th>PC</th>
        <th className="num">CPU</th>
        <th className="num">{t("perf.sort.mem")}</th>
        <th className="num c-disk">{t("perf.sort.disk")}</th>
        <th className="num c-net">{t("perf.sort.net")}</th>
        <th>{t("perf.col.at")}</th>
      </tr>
    </thead>
  );
  return (
    <section>
      <h1>
        {t("perf.title")} <span className={`badge ${live ? "s-succeeded" : "s-skipped"}`}>{live ? t("agent.live") : t("agent.disconnected")}</span>
      </h1>
      <div className="row">
        <label>
          {t("perf.sort")}{" "}
          <select name="sort" value={sort} onChange={(e) => setSort(e.target.value as FleetPerfSort)}>
            {FLEET_PERF_SORTS.map((s) => <option key={s} value={s}>{t(`perf.sort.${s}`)}</option>)}
          </select>
        </label>
        <span className="spacer" />
        {rows.stale.length > 0 && (
          <label className="inline" data-testid="stale-toggle">
            <input type="checkbox" name="stale" checked={showStale} onChange={(e) => navigate(`${path}${e.target.checked ? "?stale=1" : ""}`, { replace: true })} />
            {t("perf.showStale", { n: rows.stale.length })}
          </label>
        )}
      </div>
      <ErrorBox error={snap.error ?? agents.error} />
      {/* Which PCs are online decides what is current: nothing is ranked before that is known. */}
      {!agents.data ? (
        <p className="muted">{t("common.loading")}</p>
      ) : rows.live.length === 0 ? (
        <p className="muted">{rows.stale.length ? t("perf.noLive") : t("perf.empty")}</p>
      ) : (
        <div className="scroll-x">
          <table data-testid="fleet-perf">
            {header}
            <tbody>
              {rows.live.map((s) => <PerfRow key={s.pc_id} s={s} stale={false} online={online.get(s.pc_id)} />)}
            </tbody>
          </table>
        </div>
      )}
      {showStale && rows.stale.length > 0 && (
        <>
          <h2>{t("perf.staleTitle")}</h2>
          <p className="muted small">{t("perf.staleHelp")}</p>
          <div className="scroll-x">
            <table data-testid="fleet-perf-stale">
              {header}
              <tbody>
                {rows.stale.map((s) => <PerfRow key={s.pc_id} s={s} stale online={online.get(s.pc_id)} />)}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
