/** The per-PC table and the per-status summary shared by `exec --wait` and `executions <id>`. */
import { nonZeroCounts, rowStory, skipReasons, type ExecutionRow, type ExecutionView } from "@kanade/protocol";
import { escapeTerminal, firstLine, formatMs, renderTable, statusStyle, type Io } from "./output.js";

/** What the OUTPUT column shows: the row's story (skip reason, stderr when it failed, else stdout). */
function story(r: ExecutionRow): string {
  const s = rowStory(r);
  if (!s) return "";
  return s.stream === "stderr" ? `stderr: ${firstLine(s.text)}` : firstLine(s.text);
}

export function rowsTable(io: Io, rows: readonly ExecutionRow[]): string {
  return renderTable(
    ["PC", "STATUS", "EXIT", "DURATION", "OUTPUT"],
    rows.map((r) => [r.pc_id, r.status, r.exit_code, formatMs(r.duration_ms), story(r)]),
    statusStyle(io, 1),
  );
}

/** Rows that did not succeed (what `--failed-only` prints). */
export const notSucceeded = (rows: readonly ExecutionRow[]): ExecutionRow[] => rows.filter((r) => r.status !== "succeeded");

/**
 * `303 PCs: 300 succeeded, 2 failed, 1 skipped`, then one line per skip reason and, while PCs are offline,
 * how many the execution waits for. Every status with PCs is named, in the vocabulary's order.
 */
export function summaryLines(view: Pick<ExecutionView, "counts" | "target_count" | "offline_waiting">, rows: readonly ExecutionRow[]): string {
  const parts = nonZeroCounts(view.counts).map(({ status, n }) => `${n} ${status}`);
  const lines = [`${view.target_count} PC${view.target_count === 1 ? "" : "s"}: ${parts.length ? parts.join(", ") : "none yet"}`];
  for (const { reason, n } of skipReasons(rows)) lines.push(`  skipped: ${escapeTerminal(reason, { singleLine: true })} (${n})`);
  if (view.offline_waiting) lines.push(`  waiting for ${view.offline_waiting} offline PC${view.offline_waiting === 1 ? "" : "s"} (they run it when they reconnect)`);
  return lines.join("\n") + "\n";
}

/** The table (only the rows that did not succeed with `failedOnly`) followed by the summary. */
export function executionReport(io: Io, view: ExecutionView, opts: { failedOnly?: boolean }): string {
  const rows = view.rows ?? [];
  const shown = opts.failedOnly ? notSucceeded(rows) : rows;
  const table = shown.length > 0 ? rowsTable(io, shown) : opts.failedOnly && rows.length > 0 ? "every PC succeeded\n" : "";
  return table + summaryLines(view, rows);
}
