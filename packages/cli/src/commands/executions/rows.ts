/** The per-PC table shared by `exec --wait` and `executions <id>`. */
import type { ExecutionDetail } from "@kanade/protocol";
import { firstLine, formatMs, renderTable, statusStyle, type Io } from "../../output.js";

export function rowsTable(io: Io, detail: Pick<ExecutionDetail, "rows">): string {
  return renderTable(
    ["PC", "STATUS", "EXIT", "DURATION", "OUTPUT"],
    detail.rows.map((r) => [r.pc_id, r.status, r.exit_code, formatMs(r.duration_ms), firstLine(r.stdout_first_line)]),
    statusStyle(io, 1),
  );
}

/** Every targeted PC reported `succeeded` (an empty target set is not a success). */
export function allSucceeded(detail: Pick<ExecutionDetail, "rows" | "target_count">): boolean {
  return detail.rows.length >= detail.target_count && detail.rows.length > 0 && detail.rows.every((r) => r.status === "succeeded");
}
