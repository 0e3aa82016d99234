/** A stacked bar of an execution's per-PC outcome counts, with the numbers as text for screen readers. */
import type { ExecutionCounts } from "@kanade/protocol";
import { useT } from "../i18n/context.js";
import { countParts } from "../lib/progress-parts.js";

export function Progress({ counts }: { counts: ExecutionCounts }) {
  const t = useT();
  const total = Math.max(1, counts.total);
  const parts = countParts(counts);
  const label = parts.map((p) => `${p.n} ${t(`status.${p.status}`)}`).join(", ");
  return (
    <div className="progress" title={label} data-testid="progress">
      <div className="bar">
        {parts.map((p) => (
          <span key={p.status} className={`seg s-${p.status}`} data-status={p.status} data-n={p.n} style={{ width: `${(p.n / total) * 100}%` }} />
        ))}
      </div>
      <span className="small">{counts.done}/{counts.total} · {label}</span>
    </div>
  );
}
