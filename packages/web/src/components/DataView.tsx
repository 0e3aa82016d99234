/** Renders reported JSON facts readably: objects as definition lists, arrays of objects as tables. */
import type { ReactNode } from "react";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function DataView({ value, maxRows = 500 }: { value: unknown; maxRows?: number }): ReactNode {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">—</span>;
    if (value.every(isRecord)) {
      const cols = [...new Set(value.flatMap((r) => Object.keys(r)))];
      return (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>{cols.map((c) => <th key={c}>{c}</th>)}</tr>
            </thead>
            <tbody>
              {value.slice(0, maxRows).map((r, i) => (
                <tr key={i}>{cols.map((c) => <td key={c}>{scalar(r[c])}</td>)}</tr>
              ))}
            </tbody>
          </table>
          {value.length > maxRows && <p className="muted">… {value.length - maxRows} more</p>}
        </div>
      );
    }
    return <span>{value.map(scalar).join(", ")}</span>;
  }
  if (isRecord(value)) {
    return (
      <dl className="facts">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{isRecord(v) || Array.isArray(v) ? <DataView value={v} maxRows={maxRows} /> : scalar(v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{scalar(value)}</span>;
}
