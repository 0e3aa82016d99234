/**
 * Triage of a big execution: counts per status as filters (plus the pending PCs that are offline), a PC
 * search, both kept in the URL (`/activity/<id>?status=failed&pc=tokyo`).
 */
import { nonZeroCounts, ROW_STATUSES, type ExecutionRow, type ExecutionView, type RowStatus } from "@kanade/protocol";

/** A status of the vocabulary, or `offline`: pending PCs that are offline now. */
export type RowFilter = RowStatus | "offline";

export interface RowQuery {
  status: RowFilter | null;
  pc: string;
}

export const rowQuery = (search: URLSearchParams): RowQuery => {
  const s = search.get("status");
  return { status: s === "offline" || (ROW_STATUSES as readonly string[]).includes(s ?? "") ? (s as RowFilter) : null, pc: search.get("pc") ?? "" };
};

export function rowSearch(q: RowQuery): string {
  const p = new URLSearchParams();
  if (q.status) p.set("status", q.status);
  if (q.pc.trim()) p.set("pc", q.pc);
  const s = p.toString();
  return s ? `?${s}` : "";
}

const isOfflinePending = (r: ExecutionRow): boolean => r.status === "pending" && r.online === false;

export function filterRows(rows: readonly ExecutionRow[], q: RowQuery): ExecutionRow[] {
  const text = q.pc.trim().toLowerCase();
  return rows.filter(
    (r) => (q.status === null || (q.status === "offline" ? isOfflinePending(r) : r.status === q.status)) && (!text || r.pc_id.toLowerCase().includes(text)),
  );
}

/** One chip per status with PCs, in the vocabulary's order, and one for offline pending PCs when there are any. */
export function statusChips(view: Pick<ExecutionView, "counts" | "offline_waiting">): { filter: RowFilter; n: number }[] {
  const chips: { filter: RowFilter; n: number }[] = nonZeroCounts(view.counts).map(({ status, n }) => ({ filter: status, n }));
  if (view.offline_waiting) chips.push({ filter: "offline", n: view.offline_waiting });
  return chips;
}

/** PCs a kill still affects: those running it and those that have not started. */
export const killTargets = (view: Pick<ExecutionView, "counts">): number => view.counts.running + view.counts.pending;
