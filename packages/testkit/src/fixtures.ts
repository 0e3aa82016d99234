/** Protocol-valid messages for tests: one place, so a schema change touches one fixture. */
import { commandSchema, type Command, type ExecResult, type Heartbeat, type HostPerf, type InventoryMessage } from "@kanade/protocol";

/** A valid `sh` Command (fixed ids and times); `extra` is parsed with it, so defaults still apply. */
export function sampleCommand(extra: Record<string, unknown> = {}): Command {
  return commandSchema.parse({
    request_id: "0190a7e0-0000-7000-8000-000000000001",
    exec_id: "0190a7e0-0000-7000-8000-000000000002",
    job_id: "job",
    version: "1.0.0",
    shell: "sh",
    script: "echo hi",
    timeout_secs: 10,
    issued_at: "2026-01-10T11:59:00Z",
    issued_by: "op",
    ...extra,
  });
}

/** A succeeded ExecResult with empty output (fixed ids and times unless overridden). */
export function sampleResult(over: Partial<ExecResult> = {}): ExecResult {
  return {
    result_id: "01936f0e-7a3b-7cde-8f00-000000000001",
    exec_id: "01936f0e-7a3b-7cde-8f00-000000000002",
    request_id: "01936f0e-7a3b-7cde-8f00-000000000003",
    job_id: "hello",
    version: "1.0.0",
    pc_id: "pc-1",
    status: "succeeded",
    exit_code: 0,
    stdout: "",
    stderr: "",
    stdout_truncated: false,
    stderr_truncated: false,
    started_at: null,
    finished_at: "2026-11-30T00:00:01.000Z",
    ...over,
  };
}

/** A heartbeat from a Windows 11 PC, sent now; `heartbeat_interval_secs: 1` and silence makes it offline in 3 s. */
export function sampleHeartbeat(pcId: string, over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    pc_id: pcId,
    at: new Date().toISOString(),
    agent_version: "1.0.0",
    hostname: `${pcId}.corp`,
    os_family: "windows",
    os_version: "11",
    boot_time: null,
    agent_rss_bytes: 60_000_000,
    agent_cpu_pct: 0.5,
    groups: [],
    heartbeat_interval_secs: 3600,
    ...over,
  };
}

/** A host perf sample taken now: `cpuPct` CPU, 4 of 16 GiB of memory in use, no I/O. */
export function sampleHostPerf(pcId: string, cpuPct: number, over: Partial<HostPerf> = {}): HostPerf {
  return {
    pc_id: pcId,
    at: new Date().toISOString(),
    cpu_pct: cpuPct,
    cpu_count: 4,
    mem_used_bytes: 4 * 1024 ** 3,
    mem_total_bytes: 16 * 1024 ** 3,
    disk_read_bytes_per_sec: 0,
    disk_write_bytes_per_sec: 0,
    net_rx_bytes_per_sec: 0,
    net_tx_bytes_per_sec: 0,
    ...over,
  };
}

/** One inventory category of a PC, collected now. */
export function sampleInventory(pcId: string, category: InventoryMessage["category"], data: Record<string, unknown>): InventoryMessage {
  return { pc_id: pcId, category, collected_at: new Date().toISOString(), data };
}

/** A `sw` inventory listing `[name, version]` applications (publisher `Example`). */
export const sampleSoftware = (pcId: string, apps: readonly (readonly [string, string])[]): InventoryMessage =>
  sampleInventory(pcId, "sw", { source: "test", apps: apps.map(([name, version]) => ({ name, version, publisher: "Example" })) });
