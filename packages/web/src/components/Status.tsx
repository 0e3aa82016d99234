/** Coloured status and state labels, translated. */
import type { ExecutionState } from "@kanade/protocol";
import { useT } from "../i18n/context.js";
import { ago } from "../lib/format.js";

type RowStatus = "succeeded" | "failed" | "timed_out" | "killed" | "skipped" | "error" | "running" | "pending" | "not_sent";

export function StatusBadge({ status }: { status: RowStatus }) {
  const t = useT();
  return <span className={`badge s-${status}`} data-status={status}>{t(`status.${status}`)}</span>;
}

export function StateBadge({ state }: { state: ExecutionState }) {
  const t = useT();
  return <span className={`badge st-${state}`} data-state={state}>{t(`state.${state}`)}</span>;
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
