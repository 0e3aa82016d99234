/** Terminal rendering of host perf: one PC with its top processes, or the fleet's hottest PCs. */
import type { HostPerf, ProcessPerf } from "@kanade/protocol";
import { formatBytes } from "./format.js";
import { renderTable } from "./output.js";

const memPct = (h: HostPerf): number => (h.mem_total_bytes > 0 ? (h.mem_used_bytes / h.mem_total_bytes) * 100 : 0);

export function renderHost(h: HostPerf, procs: ProcessPerf | undefined): string {
  const lines = [
    `${h.pc_id}  ${h.at}`,
    `CPU  ${h.cpu_pct.toFixed(1)}% of ${h.cpu_count} cores`,
    `MEM  ${formatBytes(h.mem_used_bytes)} / ${formatBytes(h.mem_total_bytes)} (${memPct(h).toFixed(0)}%)`,
    `DISK read ${formatBytes(h.disk_read_bytes_per_sec)}/s  write ${formatBytes(h.disk_write_bytes_per_sec)}/s`,
    `NET  rx ${formatBytes(h.net_rx_bytes_per_sec)}/s  tx ${formatBytes(h.net_tx_bytes_per_sec)}/s`,
    "",
  ];
  let out = lines.join("\n");
  if (procs) out += "\n" + renderTable(["PID", "CPU%", "RSS", "NAME"], procs.top.map((p) => [p.pid, p.cpu_pct.toFixed(1), formatBytes(p.rss_bytes), p.name]));
  return out;
}

export function renderFleet(items: readonly HostPerf[]): string {
  return renderTable(
    ["PC", "CPU%", "MEM", "DISK R/W /s", "NET RX/TX /s", "AT"],
    items.map((h) => [
      h.pc_id,
      h.cpu_pct.toFixed(1),
      `${memPct(h).toFixed(0)}% of ${formatBytes(h.mem_total_bytes)}`,
      `${formatBytes(h.disk_read_bytes_per_sec)} / ${formatBytes(h.disk_write_bytes_per_sec)}`,
      `${formatBytes(h.net_rx_bytes_per_sec)} / ${formatBytes(h.net_tx_bytes_per_sec)}`,
      h.at,
    ]),
  );
}
