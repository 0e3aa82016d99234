/** Coloured status and state labels, translated. */
import type { ExecutionRow, ExecutionState, JobSummary } from "@kanade/protocol";
import { useT } from "../i18n/context.js";
import { ago } from "../lib/format.js";

/** A PC's status in an execution (a result's status is one of them). */
type RowStatus = ExecutionRow["status"];

export function StatusBadge({ status }: { status: RowStatus }) {
  const t = useT();
  return <span className={`badge s-${status}`} data-status={status}>{t(`status.${status}`)}</span>;
}

/** An execution's state; `reason` (why it ended so, e.g. a failed publish) shows on hover. */
export function StateBadge({ state, reason }: { state: ExecutionState; reason?: string | null | undefined }) {
  const t = useT();
  return (
    <span className={`badge st-${state}`} data-state={state} title={reason ?? undefined}>
      {t(`state.${state}`)}
    </span>
  );
}

export function OnlineBadge({ online }: { online: boolean }) {
  const t = useT();
  return <span className={`badge ${online ? "s-succeeded" : "s-skipped"}`}>{t(online ? "common.online" : "common.offline")}</span>;
}

export function Ago({ iso }: { iso: string | null | undefined }) {
  const t = useT();
  const a = ago(iso, new Date());
  return <time dateTime={iso ?? undefined} title={iso ?? undefined}>{a ? t(`common.ago.${a.unit}`, { n: a.n }) : t("common.never")}</time>;
}

/** ACTIVE / REVOKED as words of the page's language. */
export function JobStatusBadge({ status }: { status: JobSummary["status"] }) {
  const t = useT();
  return (
    <span className={`badge ${status === "ACTIVE" ? "s-succeeded" : "s-failed"}`} data-status={status}>
      {t(status === "ACTIVE" ? "jobs.status.active" : "jobs.status.revoked")}
    </span>
  );
}
