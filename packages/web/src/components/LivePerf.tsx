/**
 * One PC's live performance: history from `getAgentPerf`, then frames from `watchAgentPerf`, drawn with uPlot.
 * The badge says `live` only while samples keep arriving from an online PC; an offline PC's page says so and
 * how old its last sample is, instead of a green badge over a frozen chart.
 */
import type { HostPerf, ProcessPerf } from "@kanade/protocol";
import { useEffect, useMemo, useState } from "react";
import { asError } from "../api/client.js";
import { useApi } from "../api/context.js";
import { openPerfSocket } from "../api/perf-socket.js";
import { useT } from "../i18n/context.js";
import { formatBytes, formatPct, formatRate } from "../lib/format.js";
import { appendSamples, toColumns } from "../lib/perf-series.js";
import { isStale } from "../lib/severity.js";
import { ErrorBox } from "./ErrorBox.js";
import { PerfChart } from "./PerfChart.js";
import { Ago } from "./Status.js";

/** While a viewer watches, an online agent streams a sample every second: ten quiet seconds is no longer live. */
const LIVE_SAMPLE_MS = 10_000;

/** What the badge says: live, offline (with the age of the last sample), no recent samples, or disconnected. */
export function liveState(socket: "connecting" | "open" | "closed", online: boolean | undefined, lastAt: string | undefined, nowMs: number): "live" | "offline" | "quiet" | "disconnected" {
  if (online === false) return "offline";
  if (socket !== "open") return "disconnected";
  return isStale(lastAt, online, nowMs, LIVE_SAMPLE_MS) ? "quiet" : "live";
}

/** Re-renders every `ms`, so "how long ago" and staleness move on without new data. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function LivePerf({ pc, online }: { pc: string; online: boolean | undefined }) {
  const t = useT();
  const { api } = useApi();
  const [samples, setSamples] = useState<HostPerf[]>([]);
  const [procs, setProcs] = useState<ProcessPerf | undefined>();
  const [state, setState] = useState<{ s: "connecting" | "open" | "closed"; detail?: string }>({ s: "connecting" });
  const [error, setError] = useState<Error | undefined>();

  useEffect(() => {
    const abort = new AbortController();
    const since = new Date(Date.now() - 15 * 60_000).toISOString();
    api
      .call("getAgentPerf", { params: { pc }, query: { since }, signal: abort.signal })
      .then((r) => !abort.signal.aborted && setSamples((prev) => appendSamples(prev, r.items)))
      .catch((err: unknown) => !abort.signal.aborted && setError(asError(err)));
    const stop = openPerfSocket(api, { route: "watchAgentPerf", params: { pc } }, {
      onHost: (s) => setSamples((prev) => appendSamples(prev, [s])),
      onProcess: (p) => setProcs(p),
      onState: (s, detail) => setState({ s, ...(detail ? { detail } : {}) }),
    });
    return () => {
      abort.abort();
      stop();
    };
  }, [api, pc]);

  const c = useMemo(() => toColumns(samples), [samples]);
  const now = useNow(2000);
  const last = samples.at(-1)?.at;
  const live = liveState(state.s, online, last, now);
  const cpu = useMemo(() => [{ label: t("agent.cpu"), color: "#e4572e" }], [t]);
  const mem = useMemo(() => [{ label: t("agent.mem"), color: "#4f86c6" }], [t]);
  const disk = useMemo(() => [{ label: t("agent.read"), color: "#17a398" }, { label: t("agent.write"), color: "#f3a712" }], [t]);
  const net = useMemo(() => [{ label: t("agent.rx"), color: "#8e6cbc" }, { label: t("agent.tx"), color: "#c94f7c" }], [t]);
  return (
    <section className="card">
      <h2>
        {t("agent.perf")}{" "}
        <span className={`badge ${live === "live" ? "s-succeeded" : live === "offline" ? "s-offline" : "s-skipped"}`} data-testid="perf-state" data-state={live} title={state.detail}>
          {t(`agent.perfState.${live}`)}
        </span>{" "}
        {live !== "live" && last && (
          <span className="muted small" data-testid="perf-age">
            {t("agent.lastSample")} <Ago iso={last} />
          </span>
        )}{" "}
        <span className="muted small" data-testid="perf-points">{t("agent.points", { n: samples.length })}</span>
      </h2>
      <ErrorBox error={error} />
      {samples.length === 0 && <p className="muted">{t("agent.perfWaiting")}</p>}
      <div className="charts">
        <PerfChart testId="chart-cpu" title={t("agent.cpu")} unit="%" t={c.t} series={cpu} values={[c.cpu]} format={(v) => formatPct(v)} max={100} />
        <PerfChart testId="chart-mem" title={t("agent.mem")} unit="%" t={c.t} series={mem} values={[c.memPct]} format={(v) => formatPct(v)} max={100} />
        <PerfChart testId="chart-disk" title={t("agent.disk")} unit="B/s" t={c.t} series={disk} values={[c.diskRead, c.diskWrite]} format={formatRate} bytes />
        <PerfChart testId="chart-net" title={t("agent.net")} unit="B/s" t={c.t} series={net} values={[c.netRx, c.netTx]} format={formatRate} bytes />
      </div>
      <h3>{t("agent.topProcesses")}</h3>
      {!procs || procs.top.length === 0 ? (
        <p className="muted">{t("agent.noProcesses")}</p>
      ) : (
        <div className="scroll-x">
        <table data-testid="top-processes">
          <thead>
            <tr>
              <th>{t("agent.pid")}</th>
              <th>{t("agent.process")}</th>
              <th className="num">CPU</th>
              <th className="num">{t("agent.rss")}</th>
            </tr>
          </thead>
          <tbody>
            {procs.top.map((p) => (
              <tr key={p.pid}>
                <td className="mono">{p.pid}</td>
                <td>{p.name}</td>
                <td className="num">{formatPct(p.cpu_pct, 1)}</td>
                <td className="num">{formatBytes(p.rss_bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
