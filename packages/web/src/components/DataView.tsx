/** Renders reported JSON facts readably: objects as definition lists, arrays of objects as tables, sizes in units. */
import type { ReactNode } from "react";
import { useI18n } from "../i18n/context.js";
import { formatFact } from "../lib/fact-format.js";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function DataView({ value, maxRows = 500, name = "" }: { value: unknown; maxRows?: number; name?: string }): ReactNode {
  const { lang } = useI18n();
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
                <tr key={i}>{cols.map((c) => <td key={c}>{formatFact(c, r[c], lang)}</td>)}</tr>
              ))}
            </tbody>
          </table>
          {value.length > maxRows && <p className="muted">… {value.length - maxRows} more</p>}
        </div>
      );
    }
    return <span>{value.map((v) => formatFact(name, v, lang)).join(", ")}</span>;
  }
  if (isRecord(value)) {
    return (
      <dl className="facts">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{isRecord(v) || Array.isArray(v) ? <DataView value={v} maxRows={maxRows} name={k} /> : formatFact(k, v, lang)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{formatFact(name, value, lang)}</span>;
}
