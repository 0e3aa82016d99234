/**
 * Schema migrations, applied in order. Each has a stable id recorded in `schema_migrations`, so
 * features can add their own migration (one entry appended here) without renumbering anyone else's.
 */
import type { SqlDatabase } from "./sqlite.js";

export interface Migration {
  id: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
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
  { id: "010-klp-support-bundles", sql: `
  CREATE TABLE support_bundles (
    id TEXT PRIMARY KEY,
    pc_id TEXT NOT NULL,
    user TEXT NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT,
    bytes INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX support_bundles_by_time ON support_bundles (created_at DESC, id DESC);
  ` },
  { id: "010-adhoc", sql: `
  -- Ad-hoc runs (kanade run): the script exactly as submitted, kept with its execution so it can be shown
  -- again and promoted to a job.
  CREATE TABLE adhoc_runs (
    exec_id TEXT PRIMARY KEY,
    shell TEXT NOT NULL,
    script TEXT NOT NULL,
    timeout TEXT NOT NULL,
    run_as TEXT NOT NULL,
    cwd TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  ` },
  { id: "010-agentwaves-rollout-kind", sql: `
  -- A rollout either sends a job (kind 'job', job_id set) or an agent version (kind 'agent_update': job_id is ''
  -- and the version is in spec); agent-update waves have no exec_id, their PCs are judged from the agents table.
  ALTER TABLE rollouts ADD COLUMN kind TEXT NOT NULL DEFAULT 'job';
  ` },
  { id: "011-events-timeline", sql: `
  -- The event timeline (events/): agent, OS, session and script events from the EVENTS stream, and the
  -- online/offline transitions the backend infers. One row per event id, so a re-sent event is stored once.
  CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    pc_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    user TEXT,
    source TEXT,
    exec_id TEXT,
    job_id TEXT,
    name TEXT,
    message TEXT,
    data TEXT
  );
  CREATE INDEX events_by_time ON events (at DESC, event_id DESC);
  CREATE INDEX events_by_pc ON events (pc_id, at DESC, event_id DESC);
  -- The presence last recorded per PC, so each online/offline transition is recorded once, across restarts.
  CREATE TABLE agent_presence (
    pc_id TEXT PRIMARY KEY,
    online INTEGER NOT NULL,
    changed_at TEXT NOT NULL
  ) WITHOUT ROWID;
  ` },
  { id: "011-notifications", sql: `
  -- Notifications to the people at the PCs: the manifest as submitted (target as JSON), when it reached the
  -- NOTIFICATIONS stream (NULL: publish again at start) and its withdrawal. Receipts are projected from the
  -- agents' shown/acked events, one row per PC and local user (the earliest time of each kept).
  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    priority TEXT NOT NULL,
    require_ack INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    target TEXT NOT NULL,
    yaml TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    published_at TEXT,
    withdrawn_at TEXT,
    withdrawn_by TEXT,
    withdrawal_published_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX notifications_by_time ON notifications (created_at DESC, id DESC);
  CREATE TABLE notification_receipts (
    notif_id TEXT NOT NULL,
    pc_id TEXT NOT NULL,
    user TEXT NOT NULL,
    shown_at TEXT,
    acked_at TEXT,
    PRIMARY KEY (notif_id, pc_id, user)
) WITHOUT ROWID;
  ` },
  { id: "011-groups-tags-definitions", sql: `
  -- Projection of KV agent_tags (the truth) for listing and filtering agents by tag.
  CREATE TABLE agent_tags (
    pc_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (pc_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX agent_tags_key_value ON agent_tags (key, value, pc_id);
  -- Dynamic groups: only the backend reads them, so they live beside the facts they are evaluated against.
  CREATE TABLE group_definitions (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    description TEXT,
    updated_by TEXT,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  ` },
  { id: "012-totp-second-factor", sql: `
  -- One row per account that started TOTP enrolment; confirmed_at NULL until a first code proves it.
  -- last_step: the newest time step a code was accepted for, so a code is never accepted twice.
  CREATE TABLE account_totp (
    account_id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    confirmed_at TEXT,
    last_step INTEGER NOT NULL DEFAULT -1,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  -- Single-use recovery codes, stored as SHA-256 (they are random, so a fast hash is enough).
  CREATE TABLE account_recovery_codes (
    account_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (account_id, code_hash)
  ) WITHOUT ROWID;
  -- Password steps waiting for their second factor; short-lived, one use.
  CREATE TABLE login_challenges (
    challenge_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) WITHOUT ROWID;
  -- Sign-in settings an admin changes at run time (JSON values), e.g. totp_required_roles.
  CREATE TABLE auth_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  ` },
  { id: "011-schedules-pc-state-exec", sql: `
  -- The firing loop keeps each per-PC rule's next due time in memory and learns of answers by reading only the
  -- results inserted since its last tick, joined to the fire they answer by (exec_id, pc_id).
  CREATE INDEX schedule_pc_state_exec ON schedule_pc_state (exec_id, pc_id);
  ` },
  { id: "013-agents-client-version", sql: `
  -- The kanade-client version a PC's agent last saw in a KLP handshake (from heartbeats; kept when a
  -- heartbeat carries none, so a restarted agent does not blank it before the user opens the app again).
  ALTER TABLE agents ADD COLUMN client_version TEXT;
  ` },
  { id: "012-invite-mail-links", sql: `
  -- Where invitation and password-reset mail goes (kanade account create/update --email).
  ALTER TABLE accounts ADD COLUMN email TEXT;
  CREATE INDEX accounts_email ON accounts (email COLLATE NOCASE);
  -- Invitations by e-mail: the link's token is stored only as SHA-256 (32 random bytes, so a fast hash is enough).
  CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    username TEXT,
    revoked_at TEXT
  ) WITHOUT ROWID;
  -- Password-reset links: single use, short-lived; hashed like invitation tokens.
  CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
  ) WITHOUT ROWID;
  ` },
  { id: "oidc-sso-accounts-sessions", sql: `
  -- Accounts made by single sign-on: the provider's (issuer, subject) pair, never the name, says who it is.
  -- Such an account has no usable password hash (login with a password always fails for it).
  CREATE TABLE sso_accounts (
    account_id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    UNIQUE (issuer, subject)
  ) WITHOUT ROWID;
  -- The provider side of a kanade session opened by SSO: the refresh token stays here, server-side, and is
  -- used to ask the provider again every refresh interval; a row without its session row is dead.
  CREATE TABLE sso_sessions (
    session_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    refresh_token TEXT,
    checked_at TEXT NOT NULL
  ) WITHOUT ROWID;
  -- Sign-ins on their way through the provider (minutes), in the database so that any backend behind a load
  -- balancer can finish one another started.
  CREATE TABLE sso_pending (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    challenge TEXT,
    expires_at TEXT NOT NULL
  ) WITHOUT ROWID;
  -- One-time handoff codes (stored as SHA-256) and the session they hand over, for 2 minutes.
  CREATE TABLE sso_handoffs (
    code_hash TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    challenge TEXT,
    expires_at TEXT NOT NULL
  ) WITHOUT ROWID;
  ` },
  { id: "014-scopes-perm-groups", sql: `
  -- Permission groups: PC groups (JSON array) an account is scoped to, and what it may do there (JSON array).
  CREATE TABLE perm_groups (
    name TEXT PRIMARY KEY,
    description TEXT,
    pc_groups TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  ) WITHOUT ROWID;
  -- Membership by account_id, so a renamed or re-created name never inherits another account's scope.
  CREATE TABLE account_perm_groups (
    account_id TEXT NOT NULL,
    perm_group TEXT NOT NULL,
    PRIMARY KEY (account_id, perm_group)
  ) WITHOUT ROWID;
  CREATE INDEX account_perm_groups_group ON account_perm_groups (perm_group, account_id);
  ` },
];

/** Runs the migrations this database has not seen yet, each in its own transaction; returns how many ran. */
export function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): number {
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
