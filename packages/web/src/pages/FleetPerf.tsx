/** The hottest PCs across the fleet: a snapshot from `getFleetPerf`, kept current by `watchFleetPerf`. */
import { FLEET_PERF_SORTS, type FleetPerfSort, type HostPerf } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { useApi, useCall } from "../api/context.js";
import { openPerfSocket } from "../api/perf-socket.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { hottest, mergeLatest } from "../lib/fleet-board.js";
import { formatBytes, formatPct, formatRate } from "../lib/format.js";
import { Link } from "../router.js";

export function FleetPerfPage() {
  const t = useT();
  const { api } = useApi();
  const [sort, setSort] = useState<FleetPerfSort>("cpu");
  const snap = useCall("getFleetPerf", { query: { sort, limit: 200 } }, { pollMs: 30_000 });
  const [board, setBoard] = useState<Map<string, HostPerf>>(new Map());
  const [live, setLive] = useState(false);
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
  const rows = hottest(board, sort, 100);
  return (
    <section>
      <h1>
        {t("perf.title")} <span className={`badge ${live ? "s-succeeded" : "s-skipped"}`}>{live ? t("agent.live") : t("agent.disconnected")}</span>
      </h1>
      <label>
        {t("perf.sort")}{" "}
        <select name="sort" value={sort} onChange={(e) => setSort(e.target.value as FleetPerfSort)}>
          {FLEET_PERF_SORTS.map((s) => <option key={s} value={s}>{t(`perf.sort.${s}`)}</option>)}
        </select>
      </label>
      <ErrorBox error={snap.error} />
      {rows.length === 0 ? (
        <p className="muted">{t("perf.empty")}</p>
      ) : (
        <table data-testid="fleet-perf">
          <thead>
            <tr>
              <th>PC</th>
              <th className="num">CPU</th>
              <th className="num">{t("perf.sort.mem")}</th>
              <th className="num">{t("perf.sort.disk")}</th>
              <th className="num">{t("perf.sort.net")}</th>
              <th>{t("perf.col.at")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.pc_id}>
                <td className="mono"><Link to={`/agents/${encodeURIComponent(s.pc_id)}`}>{s.pc_id}</Link></td>
                <td className="num"><Meter pct={s.cpu_pct} />{formatPct(s.cpu_pct)}</td>
                <td className="num"><Meter pct={s.mem_total_bytes ? (s.mem_used_bytes / s.mem_total_bytes) * 100 : 0} />{formatBytes(s.mem_used_bytes)} / {formatBytes(s.mem_total_bytes)}</td>
                <td className="num">{formatRate(s.disk_read_bytes_per_sec + s.disk_write_bytes_per_sec)}</td>
                <td className="num">{formatRate(s.net_rx_bytes_per_sec + s.net_tx_bytes_per_sec)}</td>
                <td><Ago iso={s.at} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Meter({ pct }: { pct: number }) {
  return <span className="meter"><span style={{ width: `${Math.min(100, Math.max(0, pct))}%` }} /></span>;
}
