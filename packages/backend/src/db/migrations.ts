/**
 * Schema migrations, applied in order. Each has a stable id recorded in `schema_migrations`, so
 * features can add their own migration (one entry appended here) without renumbering anyone else's.
 */
import type Database from "better-sqlite3";

export interface Migration {
  id: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  { id: "001-core", sql: `
  CREATE TABLE executions (
    exec_id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    version TEXT NOT NULL,
    state TEXT NOT NULL,
    target TEXT NOT NULL,
    target_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    killed_at TEXT
  );
  CREATE INDEX executions_created ON executions (created_at DESC, exec_id DESC);
  CREATE INDEX executions_job ON executions (job_id, created_at DESC);

  CREATE TABLE execution_targets (
    exec_id TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    PRIMARY KEY (exec_id, pc_id)
  ) WITHOUT ROWID;

  CREATE TABLE results (
    result_id TEXT PRIMARY KEY,
    exec_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    version TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    stdout TEXT NOT NULL,
    stderr TEXT NOT NULL,
    stdout_truncated INTEGER NOT NULL DEFAULT 0,
    stderr_truncated INTEGER NOT NULL DEFAULT 0,
    stdout_object TEXT,
    stderr_object TEXT,
    started_at TEXT,
    finished_at TEXT NOT NULL,
    duration_ms INTEGER,
    skip_reason TEXT,
    error TEXT,
    run_as TEXT,
    received_at TEXT NOT NULL
  );
  CREATE INDEX results_exec_pc ON results (exec_id, pc_id);
  CREATE INDEX results_finished ON results (finished_at DESC, result_id DESC);
  CREATE INDEX results_pc ON results (pc_id, finished_at DESC);
  CREATE INDEX results_job ON results (job_id, finished_at DESC);

  CREATE TABLE started (
    exec_id TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    result_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (exec_id, pc_id)
  ) WITHOUT ROWID;

  CREATE TABLE agents (
    pc_id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    os_family TEXT NOT NULL,
    os_version TEXT NOT NULL,
    agent_version TEXT NOT NULL,
    groups TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    heartbeat_interval_secs REAL,
    agent_rss_bytes REAL NOT NULL,
    agent_cpu_pct REAL NOT NULL,
    boot_time TEXT,
    logged_in_user TEXT,
    quarantined_versions TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL
  );
  ` },
  { id: "004-perf", sql: `
  CREATE TABLE host_perf (
    pc_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    cpu_pct REAL NOT NULL,
    cpu_count INTEGER NOT NULL,
    mem_used_bytes REAL NOT NULL,
    mem_total_bytes REAL NOT NULL,
    disk_read_bytes_per_sec REAL NOT NULL,
    disk_write_bytes_per_sec REAL NOT NULL,
    net_rx_bytes_per_sec REAL NOT NULL,
    net_tx_bytes_per_sec REAL NOT NULL,
    PRIMARY KEY (pc_id, at_ms)
  ) WITHOUT ROWID;
  CREATE INDEX host_perf_at ON host_perf (at_ms);
  ` },
];

/** Runs the migrations this database has not seen yet, each in its own transaction; returns how many ran. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const applied = new Set(
    (db.prepare("SELECT id FROM schema_migrations").all() as { id: string }[]).map((r) => r.id),
  );
  let ran = 0;
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)").run(m.id, new Date().toISOString());
    })();
    ran++;
  }
  return ran;
}
