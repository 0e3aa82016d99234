/** The first migrations (001–009): core tables, fleet, governance, perf, executions, sessions, fan-out counters, enrollment, schedules. */
import type { Migration } from "./migration-types.js";

export const FOUNDATION_MIGRATIONS: readonly Migration[] = [
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
  `,
  // The schedule engine reads the results inserted since its last tick by SQLite's implicit rowid; on
  // PostgreSQL the same name is an explicit identity column (the only column the engines do not share).
  postgres: (ddl) => `${ddl}\n  ALTER TABLE results ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;\n` },
  { id: "003-fleet", sql: `
  CREATE TABLE inventory (
    pc_id TEXT NOT NULL,
    category TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (pc_id, category)
  ) WITHOUT ROWID;

  CREATE TABLE installed_apps (
    pc_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_lc TEXT NOT NULL,
    version TEXT,
    publisher TEXT
  );
  CREATE INDEX installed_apps_name ON installed_apps (name_lc, pc_id);
  CREATE INDEX installed_apps_pc ON installed_apps (pc_id);

  CREATE TABLE job_facts (
    job_id TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    result_id TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    facts TEXT NOT NULL,
    PRIMARY KEY (job_id, pc_id)
  ) WITHOUT ROWID;

  CREATE TABLE job_fact_history (
    job_id TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    field TEXT NOT NULL,
    change TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at TEXT NOT NULL,
    result_id TEXT NOT NULL,
    PRIMARY KEY (result_id, field)
  ) WITHOUT ROWID;
  CREATE INDEX job_fact_history_pc ON job_fact_history (job_id, pc_id, at);
  ` },
  { id: "005-governance", sql: `
  CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
  );

  CREATE TABLE approvals (
    exec_id TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL,
    request TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision TEXT
  );
  CREATE INDEX approvals_expiry ON approvals (expires_at) WHERE decision IS NULL;

  CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    payload_summary TEXT NOT NULL,
    source_ip TEXT,
    stream_seq INTEGER
  );
  CREATE INDEX audit_at ON audit_log (at DESC, id DESC);
  CREATE INDEX audit_actor ON audit_log (actor, at DESC);
  CREATE INDEX audit_action ON audit_log (action, at DESC);
  CREATE INDEX audit_target ON audit_log (target, at DESC);
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
  { id: "006-executions", sql: `
  -- The executions module: content digests, end reasons, crash-safe intents; the audit outbox.
  ALTER TABLE executions ADD COLUMN manifest_digest TEXT;
  ALTER TABLE executions ADD COLUMN state_reason TEXT;
  UPDATE executions SET state = 'killed' WHERE state = 'running' AND killed_at IS NOT NULL;
  CREATE INDEX executions_state ON executions (state);
  ALTER TABLE approvals ADD COLUMN manifest TEXT;
  ALTER TABLE approvals ADD COLUMN manifest_digest TEXT;
  ALTER TABLE approvals ADD COLUMN script_sha256 TEXT;
  CREATE TABLE exec_intents (
    exec_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (exec_id, kind)
  ) WITHOUT ROWID;
  CREATE TABLE audit_outbox (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    ready INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- Written, never read: results keep what the agent reported in their own fields.
  ALTER TABLE results DROP COLUMN run_as;
  ` },
  { id: "007-sessions", sql: `
  -- An id that never comes back: a name deleted and created again is a new account, and old tokens stay dead.
  ALTER TABLE accounts ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
  UPDATE accounts SET account_id = lower(hex(randomblob(16)));
  -- Names are unique whatever their case from now on. Older twins that differ only in case are kept,
  -- renamed (<name>.dup<n>) and disabled, for an admin to sort out; none is merged into another.
  UPDATE accounts SET username = substr(username, 1, 48) || '.dup' || rowid, disabled = 1
   WHERE EXISTS (SELECT 1 FROM accounts o WHERE o.username = accounts.username COLLATE NOCASE AND o.rowid < accounts.rowid);
  CREATE UNIQUE INDEX accounts_username_nocase ON accounts (username COLLATE NOCASE);
  CREATE UNIQUE INDEX accounts_account_id ON accounts (account_id);

  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE INDEX sessions_account ON sessions (account_id);
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  `,
  // NOCASE, SQLite's case-folding collation, is an ICU case-insensitive collation of the same name here.
  // PostgreSQL databases start after case-only twins were possible, so there are none to rename.
  postgres: `
  CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
  ALTER TABLE accounts ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
  UPDATE accounts SET account_id = md5(random()::text || clock_timestamp()::text || username);
  CREATE UNIQUE INDEX accounts_username_nocase ON accounts (username COLLATE NOCASE);
  CREATE UNIQUE INDEX accounts_account_id ON accounts (account_id);
  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT
  );
  CREATE INDEX sessions_account ON sessions (account_id);
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  ` },
  { id: "008-fanout-counters", sql: `
  -- An execution's counts kept as rows arrive instead of recomputed from results on every read. Each PC
  -- of an execution counts once, under its latest result, else running (started), else pending (expected).
  -- Triggers move it from one count to the next as execution_targets, started and results are written,
  -- whoever writes them (the API, the projectors, a rebuild from the streams), in the writer's transaction;
  -- they only read the PC's other rows through existing keys and write this small table.
  CREATE TABLE execution_counts (
    exec_id TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (exec_id, status)
  ) WITHOUT ROWID;

  INSERT INTO execution_counts (exec_id, status, n)
    SELECT pcs.exec_id, COALESCE(l.status, CASE WHEN s.pc_id IS NOT NULL THEN 'running' ELSE 'pending' END), COUNT(*)
    FROM (SELECT exec_id, pc_id FROM execution_targets UNION SELECT exec_id, pc_id FROM results UNION SELECT exec_id, pc_id FROM started) pcs
    LEFT JOIN (SELECT exec_id, pc_id, status, MAX(finished_at) FROM results GROUP BY exec_id, pc_id) l ON l.exec_id = pcs.exec_id AND l.pc_id = pcs.pc_id
    LEFT JOIN started s ON s.exec_id = pcs.exec_id AND s.pc_id = pcs.pc_id
    GROUP BY 1, 2;

  CREATE TRIGGER execution_targets_counted AFTER INSERT ON execution_targets
    WHEN NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id)
     AND NOT EXISTS (SELECT 1 FROM started s WHERE s.exec_id = NEW.exec_id AND s.pc_id = NEW.pc_id)
  BEGIN
    INSERT INTO execution_counts (exec_id, status, n) VALUES (NEW.exec_id, 'pending', 1)
      ON CONFLICT (exec_id, status) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER started_counted AFTER INSERT ON started
    WHEN NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id)
  BEGIN
    UPDATE execution_counts SET n = n - 1 WHERE exec_id = NEW.exec_id AND status = 'pending'
      AND EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = NEW.exec_id AND t.pc_id = NEW.pc_id);
    INSERT INTO execution_counts (exec_id, status, n) VALUES (NEW.exec_id, 'running', 1)
      ON CONFLICT (exec_id, status) DO UPDATE SET n = n + 1;
  END;
  -- A result older than one already counted for the PC changes nothing (nor does a tie: the first stays).
  CREATE TRIGGER results_counted AFTER INSERT ON results
    WHEN NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id
                     AND r.result_id <> NEW.result_id AND r.finished_at >= NEW.finished_at)
  BEGIN
    UPDATE execution_counts SET n = n - 1 WHERE exec_id = NEW.exec_id AND status = COALESCE(
      (SELECT r.status FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id AND r.result_id <> NEW.result_id
       ORDER BY r.finished_at DESC LIMIT 1),
      (SELECT 'running' FROM started s WHERE s.exec_id = NEW.exec_id AND s.pc_id = NEW.pc_id),
      (SELECT 'pending' FROM execution_targets t WHERE t.exec_id = NEW.exec_id AND t.pc_id = NEW.pc_id));
    INSERT INTO execution_counts (exec_id, status, n) VALUES (NEW.exec_id, NEW.status, 1)
      ON CONFLICT (exec_id, status) DO UPDATE SET n = n + 1;
  END;
  `,
  // The same fill (the latest result per PC picked with DISTINCT ON) and the same three triggers, as PL/pgSQL.
  postgres: `
  CREATE TABLE execution_counts (
    exec_id TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (exec_id, status)
  );

  INSERT INTO execution_counts (exec_id, status, n)
    SELECT pcs.exec_id, COALESCE(l.status, CASE WHEN s.pc_id IS NOT NULL THEN 'running' ELSE 'pending' END), COUNT(*)
    FROM (SELECT exec_id, pc_id FROM execution_targets UNION SELECT exec_id, pc_id FROM results UNION SELECT exec_id, pc_id FROM started) pcs
    LEFT JOIN (SELECT DISTINCT ON (exec_id, pc_id) exec_id, pc_id, status FROM results ORDER BY exec_id, pc_id, finished_at DESC, rowid) l
      ON l.exec_id = pcs.exec_id AND l.pc_id = pcs.pc_id
    LEFT JOIN started s ON s.exec_id = pcs.exec_id AND s.pc_id = pcs.pc_id
    GROUP BY 1, 2;

  CREATE FUNCTION execution_targets_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id)
       AND NOT EXISTS (SELECT 1 FROM started s WHERE s.exec_id = NEW.exec_id AND s.pc_id = NEW.pc_id) THEN
      INSERT INTO execution_counts AS c (exec_id, status, n) VALUES (NEW.exec_id, 'pending', 1)
        ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER execution_targets_counted AFTER INSERT ON execution_targets
    FOR EACH ROW EXECUTE FUNCTION execution_targets_counted();

  CREATE FUNCTION started_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id) THEN
      UPDATE execution_counts SET n = n - 1 WHERE exec_id = NEW.exec_id AND status = 'pending'
        AND EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = NEW.exec_id AND t.pc_id = NEW.pc_id);
      INSERT INTO execution_counts AS c (exec_id, status, n) VALUES (NEW.exec_id, 'running', 1)
        ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER started_counted AFTER INSERT ON started
    FOR EACH ROW EXECUTE FUNCTION started_counted();

  CREATE FUNCTION results_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id
                   AND r.result_id <> NEW.result_id AND r.finished_at >= NEW.finished_at) THEN
      UPDATE execution_counts SET n = n - 1 WHERE exec_id = NEW.exec_id AND status = COALESCE(
        (SELECT r.status FROM results r WHERE r.exec_id = NEW.exec_id AND r.pc_id = NEW.pc_id AND r.result_id <> NEW.result_id
         ORDER BY r.finished_at DESC LIMIT 1),
        (SELECT 'running' FROM started s WHERE s.exec_id = NEW.exec_id AND s.pc_id = NEW.pc_id),
        (SELECT 'pending' FROM execution_targets t WHERE t.exec_id = NEW.exec_id AND t.pc_id = NEW.pc_id));
      INSERT INTO execution_counts AS c (exec_id, status, n) VALUES (NEW.exec_id, NEW.status, 1)
        ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER results_counted AFTER INSERT ON results
    FOR EACH ROW EXECUTE FUNCTION results_counted();
  ` },
  { id: "009-enrollment", sql: `
  -- One row per pc_id that asked to join. A request under another key than the enrolled one waits in the
  -- conflict_* columns for an operator; it never replaces the key by itself.
  CREATE TABLE agent_enrollments (
    pc_id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    public_key TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    via_token TEXT,
    conflict_public_key TEXT,
    conflict_hostname TEXT,
    conflict_requested_at TEXT
  );
  -- Keys the broker refuses (revoked agents, replaced keys): the account JWT's revocation list.
  CREATE TABLE revoked_agent_keys (
    public_key TEXT PRIMARY KEY,
    pc_id TEXT NOT NULL,
    revoked_at TEXT NOT NULL
  );
  CREATE TABLE enroll_tokens (
    token_id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    grp TEXT,
    uses_left INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  ` },
  { id: "009-schedules", sql: `
  -- One row per fire of a schedule: (schedule, occurrence, pc) is unique, so an occurrence is claimed once
  -- even when two backends evaluate the same schedule. pc_id is '' for a fire at the whole target.
  CREATE TABLE schedule_fires (
    schedule_id TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    exec_id TEXT,
    fired_at TEXT NOT NULL,
    deadline_at TEXT,
    PRIMARY KEY (schedule_id, occurrence, pc_id)
  ) WITHOUT ROWID;
  CREATE INDEX schedule_fires_pc ON schedule_fires (schedule_id, pc_id, fired_at DESC);
  CREATE INDEX schedule_fires_exec ON schedule_fires (exec_id);
  -- The newest fire per (schedule, PC), kept in step with schedule_fires, so per-PC rules read one row per PC.
  CREATE TABLE schedule_pc_state (
    schedule_id TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    exec_id TEXT,
    fired_at TEXT NOT NULL,
    deadline_at TEXT,
    PRIMARY KEY (schedule_id, pc_id)
  ) WITHOUT ROWID;
  ` },
  { id: "009-schedules-rollouts", sql: `
  -- A job sent wave by wave (rollouts/): each wave becomes one execution when its time comes.
  CREATE TABLE rollouts (
    rollout_id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    spec TEXT NOT NULL,
    pcs TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE TABLE rollout_waves (
    rollout_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    exec_id TEXT,
    sent_at TEXT,
    pcs TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (rollout_id, idx)
  ) WITHOUT ROWID;
  ` },
];
