/** A stacked bar of an execution's per-PC outcome counts, with the numbers as text for screen readers. */
import type { ExecutionCounts } from "@kanade/protocol";
import { useT } from "../i18n/context.js";

const PARTS = ["succeeded", "failed", "timed_out", "error", "killed", "skipped", "running", "pending"] as const;

export function Progress({ counts }: { counts: ExecutionCounts }) {
  const t = useT();
  const total = Math.max(1, counts.total);
  const label = PARTS.filter((p) => counts[p] > 0).map((p) => `${counts[p]} ${t(`status.${p}`)}`).join(", ");
  return (
    <div className="progress" title={label}>
      <div className="bar">
        {PARTS.map((p) => (counts[p] > 0 ? <span key={p} className={`seg s-${p}`} style={{ width: `${(counts[p] / total) * 100}%` }} /> : null))}
      </div>
      <span className="small">{counts.done}/{counts.total} · {label}</span>
    </div>
  );
}
