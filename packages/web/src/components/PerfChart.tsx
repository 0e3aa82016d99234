/** One uPlot time-series chart; data updates call setData instead of rebuilding the chart. */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  color: string;
}

export function PerfChart({
  title,
  t,
  series,
  values,
  format,
  max,
  testId,
}: {
  title: string;
  t: readonly number[];
  series: readonly ChartSeries[];
  values: readonly (readonly number[])[];
  format(v: number): string;
  /** Fixed y-axis top (100 for percentages); auto when omitted. */
  max?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = [t, ...values] as unknown as uPlot.AlignedData;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 160,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: max === undefined ? { auto: true, range: (_u, _min, hi) => [0, Math.max(hi, 1)] } : { range: [0, max] } },
      axes: [
        { stroke: "var(--muted)", grid: { stroke: "var(--grid)" } },
        { stroke: "var(--muted)", grid: { stroke: "var(--grid)" }, size: 70, values: (_u, ticks) => ticks.map(format) },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, value: (_u: uPlot, v: number | null) => (v === null ? "—" : format(v)) }))],
    };
    const u = new uPlot(opts, data, el);
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(280, el.clientWidth), height: 160 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
    // The chart is rebuilt only when its shape changes; data flows through setData below.
  }, [series.map((s) => s.label).join("|"), max]);

  useEffect(() => {
    chart.current?.setData(data);
  });

  return (
    <figure className="chart" data-testid={testId} data-points={t.length}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
