/**
 * One uPlot time-series chart that reads in both themes: axis and grid colours resolved from the page's CSS
 * variables (a canvas cannot use `var(--x)`) and redrawn when the theme changes, a time axis in local time
 * with round ticks, the unit on the y axis, and a legend under the chart that shows the hovered values (the
 * newest ones otherwise). Data updates call setData instead of rebuilding the chart.
 */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useI18n } from "../i18n/context.js";
import { binaryIncrements, timeTickFormat, TIME_INCREMENTS } from "../lib/chart-axes.js";

export interface ChartSeries {
  label: string;
  color: string;
}

const DARK_QUERY = "(prefers-color-scheme: dark)";
const darkQuery = (): MediaQueryList | undefined => (typeof window.matchMedia === "function" ? window.matchMedia(DARK_QUERY) : undefined);
/** One subscription for the component's life (a new one each render could miss a change between two renders). */
const subscribeScheme = (onChange: () => void): (() => void) => {
  const query = darkQuery();
  query?.addEventListener("change", onChange);
  return () => query?.removeEventListener("change", onChange);
};

/**
 * Follows the OS colour scheme, so charts can redraw in the other theme's colours. Each render reads the scheme as it
 * is now: a render that falls between the change and its event still gets the new one.
 */
function useColorScheme(): "light" | "dark" {
  return useSyncExternalStore(subscribeScheme, () => (darkQuery()?.matches ? "dark" : "light"));
}

const cssVar = (el: Element, name: string): string => getComputedStyle(el).getPropertyValue(name).trim();

export function PerfChart({
  title,
  t,
  series,
  values,
  format,
  unit,
  max,
  bytes = false,
  testId,
}: {
  title: string;
  t: readonly number[];
  series: readonly ChartSeries[];
  values: readonly (readonly number[])[];
  format(v: number): string;
  /** Shown on the y axis: `%`, `B/s`. */
  unit: string;
  /** Fixed y-axis top (100 for percentages); auto when omitted. */
  max?: number;
  /** Ticks at binary steps (1 KiB, 2 KiB, 512 KiB …) so byte rates get round labels. */
  bytes?: boolean;
  testId?: string;
}) {
  const { lang, t: tr } = useI18n();
  const scheme = useColorScheme();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const [idx, setIdx] = useState<number | null>(null);
  const data = [t, ...values] as unknown as uPlot.AlignedData;
  const tick = useMemo(() => timeTickFormat(lang), [lang]);
  const legendTime = useMemo(() => new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" }), [lang]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const muted = cssVar(el, "--muted") || "#646a75";
    const grid = cssVar(el, "--grid") || "rgba(0,0,0,0.07)";
    const font = `12px ${getComputedStyle(el).fontFamily || "sans-serif"}`;
    const axis = { stroke: muted, font, labelFont: font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: 170,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: max === undefined ? { auto: true, range: (_u, _min, hi) => [0, Math.max(hi * 1.1, 1)] } : { range: [0, max] },
      },
      axes: [
        { ...axis, space: 110, incrs: TIME_INCREMENTS, values: (_u, splits, _axis, _space, step) => splits.map((s) => tick(s, step)) },
        {
          ...axis,
          label: unit,
          labelSize: 16,
          // Room for the widest tick label plus the unit, so labels never run into the axis title.
          size: (_u, vals) => Math.max(52, ...(vals ?? []).map((v) => String(v).length * 7.5)) + 26,
          space: 28,
          ...(bytes ? { incrs: binaryIncrements() } : {}),
          values: (_u, splits) => splits.map((v) => format(v)),
        },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, points: { show: false } }))],
      hooks: { setCursor: [(u) => setIdx(u.cursor.idx ?? null)] },
    };
    const u = new uPlot(opts, data, el);
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height: 170 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
    // The chart is rebuilt only when its shape, language or theme changes; data flows through setData below.
  }, [series.map((s) => s.label).join("|"), max, unit, scheme, tick]);

  useEffect(() => {
    chart.current?.setData(data);
  });

  // The hovered point, or the newest one: never "--".
  const at = idx !== null && idx < t.length ? idx : t.length - 1;
  const time = at >= 0 ? t[at] : undefined;
  return (
    <figure className="chart" data-testid={testId} data-points={t.length} data-scheme={scheme}>
      <figcaption>
        {title} <span className="muted small">({unit})</span>
      </figcaption>
      <div ref={box} />
      <div className="chart-legend" data-testid={testId ? `${testId}-legend` : undefined}>
        <span className="legend-time">
          {tr("chart.time")}: <time>{time === undefined ? "—" : legendTime.format(new Date(time * 1000))}</time>
        </span>
        {series.map((s, i) => {
          const v = at >= 0 ? values[i]?.[at] : undefined;
          return (
            <span key={s.label} className="legend-item">
              <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.label}: <strong>{v === undefined ? "—" : format(v)}</strong>
            </span>
          );
        })}
      </div>
    </figure>
  );
}
