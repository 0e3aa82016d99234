/**
 * Migrations from 010 on, one or more per feature: KLP support bundles, ad-hoc runs, events, notifications, groups
 * and tags, two factors, invitations, SSO, permission groups. A new feature appends its own entry at the end.
 */
import type { Migration } from "./migration-types.js";

export const FEATURE_MIGRATIONS: readonly Migration[] = [
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
  { id: "pg-results-insert-order", sql: `
  -- PostgreSQL only (see the postgres text): SQLite commits one writer at a time, so results' rowids already
  -- become visible in the order they were given.
  `,
  // The schedule engine reads new results by rowid range. With several backends, PostgreSQL could make a lower
  // rowid visible after a higher one was read; one transaction-scoped lock per results-writing transaction
  // (taken before any row gets its rowid, released at commit) keeps rowids visible in order, as on SQLite.
  postgres: `
  CREATE FUNCTION results_insert_order() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(7463021);
    RETURN NULL;
  END $$;
  CREATE TRIGGER results_insert_order BEFORE INSERT ON results
    FOR EACH STATEMENT EXECUTE FUNCTION results_insert_order();
  ` },
  { id: "pg-fanout-counters-per-statement", sql: `
  -- PostgreSQL only (see the postgres text): SQLite runs its triggers in the backend's own process.
  `,
  // A fleet-wide exec inserts one execution_targets row per PC in one statement; the row-level trigger of
  // 008-fanout-counters then ran three queries per PC (22 s for 50,000 PCs, with the backend waiting). The same
  // counting per statement, over the statement's new rows: a target counts as pending when its PC has neither a
  // result nor a started event, a started event as running when its PC has no result. Both read only the other
  // tables, so rows of one statement cannot see each other, as one by one. The results trigger stays per row (it
  // reads the PC's other results; the store never puts two rows of one PC and execution in one statement).
  postgres: `
  DROP TRIGGER execution_targets_counted ON execution_targets;
  DROP FUNCTION execution_targets_counted();
  CREATE FUNCTION execution_targets_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO execution_counts AS c (exec_id, status, n)
      SELECT t.exec_id, 'pending', COUNT(*) FROM new_targets t
      WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = t.exec_id AND r.pc_id = t.pc_id)
        AND NOT EXISTS (SELECT 1 FROM started s WHERE s.exec_id = t.exec_id AND s.pc_id = t.pc_id)
      GROUP BY t.exec_id
      ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;
  CREATE TRIGGER execution_targets_counted AFTER INSERT ON execution_targets
    REFERENCING NEW TABLE AS new_targets FOR EACH STATEMENT EXECUTE FUNCTION execution_targets_counted();

  DROP TRIGGER started_counted ON started;
  DROP FUNCTION started_counted();
  CREATE FUNCTION started_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    WITH fresh AS (
      SELECT s.exec_id, s.pc_id, EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = s.exec_id AND t.pc_id = s.pc_id) AS targeted
      FROM new_started s
      WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.exec_id = s.exec_id AND r.pc_id = s.pc_id)
    ), per_exec AS (
      SELECT exec_id, COUNT(*) AS running, COUNT(*) FILTER (WHERE targeted) AS was_pending FROM fresh GROUP BY exec_id
    ), less_pending AS (
      UPDATE execution_counts c SET n = c.n - p.was_pending FROM per_exec p
      WHERE c.exec_id = p.exec_id AND c.status = 'pending' AND p.was_pending > 0
    )
    INSERT INTO execution_counts AS c (exec_id, status, n)
      SELECT exec_id, 'running', running FROM per_exec
      ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;
  CREATE TRIGGER started_counted AFTER INSERT ON started
    REFERENCING NEW TABLE AS new_started FOR EACH STATEMENT EXECUTE FUNCTION started_counted();
  ` },
  { id: "pg-fanout-counters-by-index", sql: `
  -- PostgreSQL only (see the postgres text): SQLite runs its triggers in the backend's own process.
  `,
  // Two costs of the counting triggers at fleet scale. The results trigger still ran per row: lookups and two
  // writes to the same two counter rows per result, a chain of 1,000 row versions per batch of 500. And the
  // statement-level NOT EXISTS of the other two let the planner pick an anti-join that reads the whole results
  // table: 50,000 started events took 1.3 s over an empty table and 7.5 s over 150,000 earlier results, growing
  // with history. Here all three are per statement, and each lookup is a LATERAL ... LIMIT 1, which the planner
  // cannot turn into a join: one index probe per new row, whatever the tables hold.
  // A new result counts when no other result of its PC is as new; it moves the PC from what it was (its latest
  // other result, else running when it has a started event, else pending when it was a target) to its status.
  // The store never puts two rows of one PC and execution in one statement, so rows of one statement never need
  // to see each other. Net changes per counter: those that fall are updated, those that rise upserted (never the
  // same row twice in one statement).
  postgres: `
  CREATE OR REPLACE FUNCTION execution_targets_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO execution_counts AS c (exec_id, status, n)
      SELECT t.exec_id, 'pending', COUNT(*) FROM new_targets t
      LEFT JOIN LATERAL (SELECT 1 AS hit FROM results r WHERE r.exec_id = t.exec_id AND r.pc_id = t.pc_id LIMIT 1) r ON true
      LEFT JOIN LATERAL (SELECT 1 AS hit FROM started s WHERE s.exec_id = t.exec_id AND s.pc_id = t.pc_id LIMIT 1) s ON true
      WHERE r.hit IS NULL AND s.hit IS NULL
      GROUP BY t.exec_id
      ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;

  CREATE OR REPLACE FUNCTION started_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    WITH fresh AS (
      SELECT s.exec_id, t.hit IS NOT NULL AS targeted FROM new_started s
      LEFT JOIN LATERAL (SELECT 1 AS hit FROM results r WHERE r.exec_id = s.exec_id AND r.pc_id = s.pc_id LIMIT 1) r ON true
      LEFT JOIN LATERAL (SELECT 1 AS hit FROM execution_targets t WHERE t.exec_id = s.exec_id AND t.pc_id = s.pc_id LIMIT 1) t ON true
      WHERE r.hit IS NULL
    ), per_exec AS (
      SELECT exec_id, COUNT(*) AS running, COUNT(*) FILTER (WHERE targeted) AS was_pending FROM fresh GROUP BY exec_id
    ), less_pending AS (
      UPDATE execution_counts c SET n = c.n - p.was_pending FROM per_exec p
      WHERE c.exec_id = p.exec_id AND c.status = 'pending' AND p.was_pending > 0
    )
    INSERT INTO execution_counts AS c (exec_id, status, n)
      SELECT exec_id, 'running', running FROM per_exec
      ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;

  DROP TRIGGER results_counted ON results;
  DROP FUNCTION results_counted();
  CREATE FUNCTION results_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    WITH fresh AS (
      SELECT n.exec_id, n.status, COALESCE(p.status, s.was, t.was) AS was FROM new_results n
      LEFT JOIN LATERAL (SELECT r.status, r.finished_at FROM results r WHERE r.exec_id = n.exec_id AND r.pc_id = n.pc_id
                         AND r.result_id <> n.result_id ORDER BY r.finished_at DESC LIMIT 1) p ON true
      LEFT JOIN LATERAL (SELECT 'running' AS was FROM started s WHERE s.exec_id = n.exec_id AND s.pc_id = n.pc_id LIMIT 1) s ON true
      LEFT JOIN LATERAL (SELECT 'pending' AS was FROM execution_targets t WHERE t.exec_id = n.exec_id AND t.pc_id = n.pc_id LIMIT 1) t ON true
      WHERE p.finished_at IS NULL OR p.finished_at < n.finished_at
    ), delta AS (
      SELECT exec_id, status, SUM(d)::bigint AS d FROM (
        SELECT exec_id, status, 1 AS d FROM fresh
        UNION ALL SELECT exec_id, was, -1 FROM fresh WHERE was IS NOT NULL
      ) moves GROUP BY exec_id, status
    ), fell AS (
      UPDATE execution_counts c SET n = c.n + d.d FROM delta d WHERE c.exec_id = d.exec_id AND c.status = d.status AND d.d < 0
    )
    INSERT INTO execution_counts AS c (exec_id, status, n)
      SELECT exec_id, status, d FROM delta WHERE d > 0
      ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;
  CREATE TRIGGER results_counted AFTER INSERT ON results
    REFERENCING NEW TABLE AS new_results FOR EACH STATEMENT EXECUTE FUNCTION results_counted();
  ` },
  { id: "pg-targets-counted-per-exec", sql: `
  -- PostgreSQL only (see the postgres text): SQLite runs its triggers in the backend's own process.
  `,
  // A new execution's targets are written before its command is published, so none of its PCs can have a started
  // event or a result yet: all of them are pending, counted without a probe per PC (a fleet-wide exec to 50,000
  // spent half of its insert in those probes, before the command could go out). Only an execution whose PCs may
  // have answered first (one restored from the audit trail, or fired by the agents themselves) probes each PC.
  postgres: `
  CREATE OR REPLACE FUNCTION execution_targets_counted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    WITH per_exec AS (
      SELECT p.exec_id, p.n,
        EXISTS (SELECT 1 FROM results r WHERE r.exec_id = p.exec_id) OR EXISTS (SELECT 1 FROM started s WHERE s.exec_id = p.exec_id) AS answered
      FROM (SELECT exec_id, COUNT(*) AS n FROM new_targets GROUP BY exec_id) p
    ), pending AS (
      SELECT exec_id, n FROM per_exec WHERE NOT answered
      UNION ALL
      SELECT t.exec_id, 1 FROM new_targets t JOIN per_exec p ON p.exec_id = t.exec_id AND p.answered
      LEFT JOIN LATERAL (SELECT 1 AS hit FROM results r WHERE r.exec_id = t.exec_id AND r.pc_id = t.pc_id LIMIT 1) r ON true
      LEFT JOIN LATERAL (SELECT 1 AS hit FROM started s WHERE s.exec_id = t.exec_id AND s.pc_id = t.pc_id LIMIT 1) s ON true
      WHERE r.hit IS NULL AND s.hit IS NULL
    )
    INSERT INTO execution_counts AS c (exec_id, status, n)
      SELECT exec_id, 'pending', SUM(n) FROM pending GROUP BY exec_id
      ON CONFLICT (exec_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
  END $$;
  ` },
];
