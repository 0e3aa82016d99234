/** One PC's live performance: history from `getAgentPerf`, then frames from `watchAgentPerf`, drawn with uPlot. */
import type { HostPerf, ProcessPerf } from "@kanade/protocol";
import { useEffect, useMemo, useState } from "react";
import { asError } from "../api/client.js";
import { useApi } from "../api/context.js";
import { openPerfSocket } from "../api/perf-socket.js";
import { useT } from "../i18n/context.js";
import { formatBytes, formatPct, formatRate } from "../lib/format.js";
import { appendSamples, toColumns } from "../lib/perf-series.js";
import { ErrorBox } from "./ErrorBox.js";
import { PerfChart } from "./PerfChart.js";

export function LivePerf({ pc }: { pc: string }) {
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
  const cpu = useMemo(() => [{ label: t("agent.cpu"), color: "#e4572e" }], [t]);
  const mem = useMemo(() => [{ label: t("agent.mem"), color: "#4f86c6" }], [t]);
  const disk = useMemo(() => [{ label: t("agent.read"), color: "#17a398" }, { label: t("agent.write"), color: "#f3a712" }], [t]);
  const net = useMemo(() => [{ label: t("agent.rx"), color: "#8e6cbc" }, { label: t("agent.tx"), color: "#c94f7c" }], [t]);
  return (
    <section className="card">
      <h2>
        {t("agent.perf")}{" "}
        <span className={`badge ${state.s === "open" ? "s-succeeded" : "s-skipped"}`} data-testid="perf-state" title={state.detail}>
          {state.s === "open" ? t("agent.live") : t("agent.disconnected")}
        </span>{" "}
        <span className="muted small" data-testid="perf-points">{t("agent.points", { n: samples.length })}</span>
      </h2>
      <ErrorBox error={error} />
      {samples.length === 0 && <p className="muted">{t("agent.perfWaiting")}</p>}
      <div className="charts">
        <PerfChart testId="chart-cpu" title={t("agent.cpu")} t={c.t} series={cpu} values={[c.cpu]} format={(v) => formatPct(v)} max={100} />
        <PerfChart testId="chart-mem" title={t("agent.mem")} t={c.t} series={mem} values={[c.memPct]} format={(v) => formatPct(v)} max={100} />
        <PerfChart testId="chart-disk" title={t("agent.disk")} t={c.t} series={disk} values={[c.diskRead, c.diskWrite]} format={formatRate} />
        <PerfChart testId="chart-net" title={t("agent.net")} t={c.t} series={net} values={[c.netRx, c.netTx]} format={formatRate} />
      </div>
      <h3>{t("agent.topProcesses")}</h3>
      {!procs || procs.top.length === 0 ? (
        <p className="muted">{t("agent.noProcesses")}</p>
      ) : (
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
      )}
    </section>
  );
}
