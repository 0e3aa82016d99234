/** The per-PC table shared by `exec --wait` and `executions <id>`. */
import type { ExecutionRow } from "@kanade/protocol";
import { firstLine, formatMs, renderTable, statusStyle, type Io } from "./output.js";

export function rowsTable(io: Io, rows: readonly ExecutionRow[]): string {
  return renderTable(
    ["PC", "STATUS", "EXIT", "DURATION", "OUTPUT"],
    rows.map((r) => [r.pc_id, r.status, r.exit_code, formatMs(r.duration_ms), firstLine(r.stdout_first_line)]),
    statusStyle(io, 1),
  );
}
