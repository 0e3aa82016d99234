/**
 * Backend configuration: optional TOML file (`KANADE_BACKEND_CONFIG`) overlaid by env vars (SPEC §7).
 * A problem an operator must fix before the backend can start is a KanadeError INVALID_CONFIG whose
 * details name the env var or TOML key.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { loadOidcConfig, oidcFileSchema, type OidcConfig } from "./config-oidc.js";
import { loadSmtpConfig, smtpFileSchema, type SmtpConfig } from "./config-smtp.js";
import { intSetting, invalid, nonEmpty } from "./config-values.js";
import { KanadeError, MAX_TIMER_MS, MAX_TIMER_TEXT, isDuration, parseDurationMs, parseNatsUrls } from "@kanade/protocol";

export interface BackendConfig {
  bindHost: string;
  bindPort: number;
  /** One broker URL, or the nodes of a cluster separated by commas; nats.js fails over across them. */
  natsUrl: string;
  /**
   * Replicas of every stream, KV bucket and object store the backend owns (`nats_replicas` /
   * KANADE_NATS_REPLICAS, 1–5; default 1). 3 needs a JetStream cluster of at least three nodes.
   */
  natsReplicas?: number;
  natsToken?: string;
  /**
   * The `kanade-backend nats init` directory (`nats_auth_dir`): the backend connects as its own user from it and
   * mints agents' broker credentials with its keys. Unset: the broker is open (or token-protected).
   */
  natsAuthDir?: string;
  /** CA file the broker's certificate must chain to, for `tls://` URLs (`nats_ca`). */
  natsCa?: string;
  /** Serve HTTPS with this certificate and key (`tls_cert`, `tls_key`, PEM files). */
  httpsCert?: string;
  httpsKey?: string;
  /** The broker URL as agents reach it, written into install scripts (`agent_nats_url`; default `natsUrl`). */
  agentNatsUrl?: string;
  /**
   * The WinSW wrapper exe the Windows one-line installer hands out as `KanadeAgent.exe`
   * (`agent_service_wrapper`; default on a Windows backend: its own wrapper, `KanadeBackend.exe` beside it).
   */
  agentServiceWrapper?: string;
  databaseUrl: string;
  authDisabled: boolean;
  staticToken?: string;
  logLevel: string;
  webRoot?: string;
  /** max_age of the EXEC stream (default 7d); shorter in tests, longer for fleets with long absences. */
  execMaxAgeMs?: number;
  /** Rebuild the database from RESULTS/EVENTS/AUDIT at startup (`kanade-backend --rebuild`). */
  rebuild?: boolean;
  /** HS256 secret for session tokens; generated and kept beside the DB when absent. */
  jwtSecret?: string;
  /** Created as an admin (must change its password) on a database with no accounts. */
  bootstrapAdmin?: { username: string; password: string };
  /** Pending approvals expire after this long (default 24h). */
  approvalTtlMs?: number;
  /** Session tokens from `POST /api/auth/login` live this long (default 1h). */
  sessionTtlMs?: number;
  /** The issuer name authenticator apps show beside a TOTP entry (`totp_issuer`, default "kanade"). */
  totpIssuer?: string;
  /** Outgoing mail for invitation and password-reset links (`[smtp]` / KANADE_SMTP_*); unset: no mail, those routes answer 503. */
  smtp?: SmtpConfig;
  /** Single sign-on with an OpenID Connect provider (`[oidc]` / KANADE_OIDC_*); unset: accounts sign in with passwords only. */
  oidc?: OidcConfig;
  /** How long host perf samples are kept (`perf_retention` / `KANADE_PERF_RETENTION`, default 7d). */
  perfRetentionMs?: number;
  /** Lease the backend asks of an agent streaming live perf (`perf_live_lease`, default 15s). */
  perfLiveLeaseMs?: number;
  /** Where the command-signing keys live (`command_keys_dir`; default `command-keys/` in the state directory). */
  commandKeysDir?: string;
  /**
   * Where the files that go with the database live — the command-signing keys and the session secret
   * (`state_dir` / `KANADE_STATE_DIR`; default: the SQLite file's directory, or the working directory with PostgreSQL).
   */
  stateDir?: string;
  /** How often the backend looks for due schedule fires (`schedule_tick`, default 15s). */
  scheduleTickMs?: number;
  /** How often dynamic groups whose query names `last_seen` are re-evaluated for every PC (`group_sweep`, default 60s). */
  groupSweepMs?: number;
  /** Operators may run ad-hoc scripts (`adhoc_operators`, default true; admins always may, viewers never). */
  adhocOperators?: boolean;
  /** Every ad-hoc run waits for another operator's approval (`adhoc_require_approval`, default false). */
  adhocRequireApproval?: boolean;
  /** Agents not heard from for this long are left out of agent lists (`agents_hide_after`, e.g. 30d; default: never). */
  hideAgentsAfterMs?: number;
  /** Timeline events older than this many days are deleted (`events_retention_days`, default 30). */
  eventsRetentionDays?: number;
  /** How often online/offline transitions are looked for (`presence_tick`, default 15s). */
  presenceTickMs?: number;
}


const fileSchema = z
  .object({
    bind_addr: z.string().min(1),
    nats_url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    nats_replicas: z.number().int().min(1).max(5),
    nats_token: z.string().min(1),
    nats_auth_dir: z.string().min(1),
    agent_nats_url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    agent_service_wrapper: z.string().min(1),
    nats_ca: z.string().min(1),
    tls_cert: z.string().min(1),
    tls_key: z.string().min(1),
    database_url: z.string().min(1),
    auth_disable: z.boolean(),
    auth_static_token: z.string().min(1),
    log: z.string().min(1),
    web_root: z.string().min(1),
    exec_max_age: z.string().min(1),
    auth_jwt_secret: z.string().min(16),
    bootstrap_admin_user: z.string().min(1),
    bootstrap_admin_password: z.string().min(8),
    approval_ttl: z.string().min(1),
    session_ttl: z.string().min(1),
    totp_issuer: z.string().min(1).max(64),
    perf_retention: z.string().refine(isDuration, { message: "expected a duration like 7d or 12h" }),
    perf_live_lease: z.string().refine(isDuration, { message: "expected a duration like 15s" }),
    command_keys_dir: z.string().min(1),
    state_dir: z.string().min(1),
    schedule_tick: z.string().refine(isDuration, { message: "expected a duration like 15s" }),
    group_sweep: z.string().refine(isDuration, { message: "expected a duration like 60s" }),
    adhoc_operators: z.boolean(),
    agents_hide_after: z.string().refine(isDuration, { message: "expected a duration like 30d" }),
    adhoc_require_approval: z.boolean(),
    events_retention_days: z.number().int().min(1).max(3650),
    presence_tick: z.string().refine(isDuration, { message: "expected a duration like 15s" }),
    smtp: smtpFileSchema,
    oidc: oidcFileSchema,
  })
  .partial()
  .strict();
type FileConfig = z.infer<typeof fileSchema>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export const DEFAULTS = {
  bindAddr: "127.0.0.1:8080",
  natsUrl: "nats://127.0.0.1:4222",
  databaseUrl: "sqlite://./kanade.db",
  logLevel: "info",
} as const;

function readFile(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw invalid("KANADE_BACKEND_CONFIG", `KANADE_BACKEND_CONFIG: cannot read ${path}: ${(err as Error).message}`, err);
  }
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (err) {
    throw invalid(path, `${path}: TOML syntax error: ${(err as Error).message.split("\n")[0]}`, err);
  }
  const r = fileSchema.safeParse(doc);
  if (!r.success) {
    const lines = r.error.issues.map((i) =>
      i.code === "unrecognized_keys" ? `unknown key(s): ${i.keys.join(", ")}` : `${i.path.join(".")}: ${i.message}`,
    );
    const details = r.error.issues.flatMap((i) =>
      i.code === "unrecognized_keys" ? i.keys.map((k) => ({ path: k, message: "unknown key" })) : [{ path: i.path.join("."), message: i.message }],
    );
    throw new KanadeError("INVALID_CONFIG", `${path}: ${lines.join("; ")}`, { details });
  }
  return r.data;
}

/** Splits `host:port` (or `[v6]:port`); port 0 asks the OS for a free one. */
export function parseBindAddr(text: string, key = "KANADE_BIND_ADDR"): { host: string; port: number } {
  const idx = text.lastIndexOf(":");
  const host = (idx > 0 ? text.slice(0, idx) : "").replace(/^\[(.*)\]$/, "$1");
  const portText = idx > 0 ? text.slice(idx + 1) : "";
  const port = Number(portText);
  if (!host || !/^\d+$/.test(portText) || port > 65535) {
    throw invalid(key, `${key}: expected host:port like 127.0.0.1:8080, got "${text}"`);
  }
  return { host, port };
}

function parseBool(text: string, key: string): boolean {
  const t = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off", ""].includes(t)) return false;
  throw invalid(key, `${key}: expected 1/true or 0/false, got "${text}"`);
}

/** A static token is compared in constant time but could still be guessed if short. */
export const MIN_STATIC_TOKEN_LENGTH = 32;

/** Refuses a static token too short to resist guessing, unless auth is disabled (then no token is checked). */
export function checkStaticToken(token: string | undefined, authDisabled: boolean, key = "KANADE_AUTH_STATIC_TOKEN"): void {
  if (authDisabled || token === undefined || token.length >= MIN_STATIC_TOKEN_LENGTH) return;
  throw invalid(
    key,
    `${key}: the static token must be at least ${MIN_STATIC_TOKEN_LENGTH} characters (it has ${token.length}); ` +
      "make one with: openssl rand -base64 32",
  );
}

/** Reads the TOML file named by `KANADE_BACKEND_CONFIG` (if any), then env vars, and checks the result. */
export function loadBackendConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const configPath = nonEmpty(env.KANADE_BACKEND_CONFIG);
  const file = configPath ? readFile(configPath) : {};

  const bindKey = env.KANADE_BIND_ADDR ? "KANADE_BIND_ADDR" : "bind_addr";
  const { host, port } = parseBindAddr(nonEmpty(env.KANADE_BIND_ADDR) ?? file.bind_addr ?? DEFAULTS.bindAddr, bindKey);
  const databaseUrl = nonEmpty(env.DATABASE_URL) ?? file.database_url ?? DEFAULTS.databaseUrl;
  checkDatabaseUrl(databaseUrl);

  const authDisabled =
    env.KANADE_AUTH_DISABLE !== undefined
      ? parseBool(env.KANADE_AUTH_DISABLE, "KANADE_AUTH_DISABLE")
      : (file.auth_disable ?? false);
  const staticToken = nonEmpty(env.KANADE_AUTH_STATIC_TOKEN) ?? file.auth_static_token;
  checkStaticToken(staticToken, authDisabled, nonEmpty(env.KANADE_AUTH_STATIC_TOKEN) ? "KANADE_AUTH_STATIC_TOKEN" : "auth_static_token");
  const governance = loadGovernanceConfig(env, file);
  const smtp = loadSmtpConfig(env, file);
  const oidc = loadOidcConfig(env, file.oidc);
  if (!authDisabled && !staticToken && !governance.bootstrapAdmin) {
    throw invalid(
      "KANADE_AUTH_STATIC_TOKEN",
      "no API token configured: set KANADE_AUTH_STATIC_TOKEN (or auth_static_token in the config file), " +
        "or KANADE_BOOTSTRAP_ADMIN_USER/KANADE_BOOTSTRAP_ADMIN_PASSWORD for accounts, or KANADE_AUTH_DISABLE=1 for a local sandbox",
    );
  }
  const logLevel = nonEmpty(env.KANADE_LOG) ?? file.log ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw invalid("KANADE_LOG", `KANADE_LOG: expected one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const natsToken = nonEmpty(env.KANADE_NATS_TOKEN) ?? file.nats_token;
  const natsAuthDir = nonEmpty(env.KANADE_NATS_AUTH_DIR) ?? file.nats_auth_dir;
  const agentNatsUrl = natsUrlList(nonEmpty(env.KANADE_AGENT_NATS_URL), "KANADE_AGENT_NATS_URL") ?? natsUrlList(file.agent_nats_url, "agent_nats_url");
  const natsUrl = natsUrlList(nonEmpty(env.KANADE_NATS_URL), "KANADE_NATS_URL") ?? natsUrlList(file.nats_url, "nats_url") ?? DEFAULTS.natsUrl;
  const natsReplicas = replicasSetting(nonEmpty(env.KANADE_NATS_REPLICAS)) ?? file.nats_replicas;
  const agentServiceWrapper = nonEmpty(env.KANADE_AGENT_SERVICE_WRAPPER) ?? file.agent_service_wrapper;
  const natsCa = nonEmpty(env.KANADE_NATS_CA) ?? file.nats_ca;
  const httpsCert = nonEmpty(env.KANADE_TLS_CERT) ?? file.tls_cert;
  const httpsKey = nonEmpty(env.KANADE_TLS_KEY) ?? file.tls_key;
  if ((httpsCert === undefined) !== (httpsKey === undefined)) {
    throw invalid(httpsCert ? "KANADE_TLS_KEY" : "KANADE_TLS_CERT", "HTTPS needs both KANADE_TLS_CERT and KANADE_TLS_KEY (tls_cert and tls_key)");
  }
  const webRoot = nonEmpty(env.KANADE_WEB_ROOT) ?? file.web_root;
  const commandKeysDir = nonEmpty(env.KANADE_COMMAND_KEYS_DIR) ?? file.command_keys_dir;
  const stateDirSetting = nonEmpty(env.KANADE_STATE_DIR) ?? file.state_dir;
  const execMaxAgeText = nonEmpty(env.KANADE_EXEC_MAX_AGE) ?? file.exec_max_age;
  const execMaxAgeMs = execMaxAgeText === undefined ? undefined : parseDurationMs(execMaxAgeText);
  if (execMaxAgeText !== undefined && (execMaxAgeMs === undefined || execMaxAgeMs < 1_000)) {
    throw invalid("KANADE_EXEC_MAX_AGE", `KANADE_EXEC_MAX_AGE: expected a duration of at least 1s like 7d or 12h, got "${execMaxAgeText}"`);
  }
  const perfRetentionMs = durationSetting(nonEmpty(env.KANADE_PERF_RETENTION), "KANADE_PERF_RETENTION") ?? durationSetting(file.perf_retention, "perf_retention");
  const perfLiveLeaseMs = durationSetting(file.perf_live_lease, "perf_live_lease");
  const hideAgentsAfterMs =
    durationSetting(nonEmpty(env.KANADE_AGENTS_HIDE_AFTER), "KANADE_AGENTS_HIDE_AFTER") ?? durationSetting(file.agents_hide_after, "agents_hide_after");
  const scheduleTickMs = durationSetting(nonEmpty(env.KANADE_SCHEDULE_TICK), "KANADE_SCHEDULE_TICK") ?? durationSetting(file.schedule_tick, "schedule_tick");
  if (scheduleTickMs !== undefined && (scheduleTickMs < 100 || scheduleTickMs > MAX_TIMER_MS)) {
    throw invalid("schedule_tick", `schedule_tick: must be between 100ms and ${MAX_TIMER_TEXT}`);
  }
  const groupSweepMs = durationSetting(nonEmpty(env.KANADE_GROUP_SWEEP), "KANADE_GROUP_SWEEP") ?? durationSetting(file.group_sweep, "group_sweep");
  if (groupSweepMs !== undefined && (groupSweepMs < 100 || groupSweepMs > MAX_TIMER_MS)) {
    throw invalid("group_sweep", `group_sweep: must be between 100ms and ${MAX_TIMER_TEXT}`);
  }
  // The lease drives timers on both sides; Node fires longer timers at once.
  if (perfLiveLeaseMs !== undefined && perfLiveLeaseMs > MAX_TIMER_MS) {
    throw invalid("perf_live_lease", `perf_live_lease: must be at most ${MAX_TIMER_TEXT}, got "${file.perf_live_lease}"`);
  }
  const eventsRetentionDays = intSetting(nonEmpty(env.KANADE_EVENTS_RETENTION_DAYS), "KANADE_EVENTS_RETENTION_DAYS", 1, 3650) ?? file.events_retention_days;
  const presenceTickMs = durationSetting(nonEmpty(env.KANADE_PRESENCE_TICK), "KANADE_PRESENCE_TICK") ?? durationSetting(file.presence_tick, "presence_tick");
  return {
    bindHost: host,
    bindPort: port,
    natsUrl,
    ...(natsReplicas !== undefined ? { natsReplicas } : {}),
    ...(natsToken ? { natsToken } : {}),
    ...(natsAuthDir ? { natsAuthDir } : {}),
    ...(agentNatsUrl ? { agentNatsUrl } : {}),
    ...(agentServiceWrapper ? { agentServiceWrapper } : {}),
    ...(natsCa ? { natsCa } : {}),
    ...(httpsCert && httpsKey ? { httpsCert, httpsKey } : {}),
    databaseUrl,
    authDisabled,
    ...(staticToken ? { staticToken } : {}),
    logLevel,
    ...(webRoot ? { webRoot } : {}),
    ...(commandKeysDir ? { commandKeysDir } : {}),
    ...(stateDirSetting ? { stateDir: stateDirSetting } : {}),
    ...(execMaxAgeMs !== undefined ? { execMaxAgeMs } : {}),
    ...(perfRetentionMs !== undefined ? { perfRetentionMs } : {}),
    ...(perfLiveLeaseMs !== undefined ? { perfLiveLeaseMs } : {}),
    ...(scheduleTickMs !== undefined ? { scheduleTickMs } : {}),
    ...(groupSweepMs !== undefined ? { groupSweepMs } : {}),
    ...adhocSettings(env, file),
    ...(hideAgentsAfterMs !== undefined ? { hideAgentsAfterMs } : {}),
    ...(eventsRetentionDays !== undefined ? { eventsRetentionDays } : {}),
    ...(presenceTickMs !== undefined ? { presenceTickMs } : {}),
    ...governance,
    ...(smtp ? { smtp } : {}),
    ...(oidc ? { oidc } : {}),
  };
}

type GovernanceConfig = Pick<BackendConfig, "jwtSecret" | "bootstrapAdmin" | "approvalTtlMs" | "sessionTtlMs" | "totpIssuer">;

function durationMs(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw invalid(key, `${key}: expected a duration like 30m, 24h or 7d, got "${text}"`);
  return ms;
}

/** Accounts, sessions and approvals (docs/operator/governance.md). */
function loadGovernanceConfig(env: NodeJS.ProcessEnv, file: FileConfig): GovernanceConfig {
  const jwtSecret = nonEmpty(env.KANADE_AUTH_JWT_SECRET) ?? file.auth_jwt_secret;
  if (jwtSecret !== undefined && jwtSecret.length < 16) throw invalid("KANADE_AUTH_JWT_SECRET", "KANADE_AUTH_JWT_SECRET: use at least 16 characters");
  const user = nonEmpty(env.KANADE_BOOTSTRAP_ADMIN_USER) ?? file.bootstrap_admin_user;
  const password = nonEmpty(env.KANADE_BOOTSTRAP_ADMIN_PASSWORD) ?? file.bootstrap_admin_password;
  if ((user === undefined) !== (password === undefined)) {
    const missing = user === undefined ? "KANADE_BOOTSTRAP_ADMIN_USER" : "KANADE_BOOTSTRAP_ADMIN_PASSWORD";
    throw invalid(missing, "KANADE_BOOTSTRAP_ADMIN_USER and KANADE_BOOTSTRAP_ADMIN_PASSWORD must be set together");
  }
  if (password !== undefined && password.length < 8) throw invalid("KANADE_BOOTSTRAP_ADMIN_PASSWORD", "KANADE_BOOTSTRAP_ADMIN_PASSWORD: use at least 8 characters");
  const approvalTtlMs = durationMs(nonEmpty(env.KANADE_APPROVAL_TTL) ?? file.approval_ttl, "KANADE_APPROVAL_TTL");
  const sessionTtlMs = durationMs(nonEmpty(env.KANADE_SESSION_TTL) ?? file.session_ttl, "KANADE_SESSION_TTL");
  const totpIssuer = nonEmpty(env.KANADE_TOTP_ISSUER) ?? file.totp_issuer;
  if (totpIssuer !== undefined && (totpIssuer.length > 64 || totpIssuer.includes(":"))) {
    throw invalid("KANADE_TOTP_ISSUER", "KANADE_TOTP_ISSUER: up to 64 characters, no colon (it is part of the otpauth label)");
  }
  return {
    ...(totpIssuer ? { totpIssuer } : {}),
    ...(jwtSecret ? { jwtSecret } : {}),
    ...(user && password ? { bootstrapAdmin: { username: user, password } } : {}),
    ...(approvalTtlMs ? { approvalTtlMs } : {}),
    ...(sessionTtlMs ? { sessionTtlMs } : {}),
  };
}

function boolSetting(text: string | undefined, key: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw invalid(key, `${key}: expected true or false, got "${text}"`);
}

/** Who may run ad-hoc scripts and whether they need approval (docs/operator/adhoc-runs.md). */
function adhocSettings(env: NodeJS.ProcessEnv, file: FileConfig): Pick<BackendConfig, "adhocOperators" | "adhocRequireApproval"> {
  const operators = boolSetting(nonEmpty(env.KANADE_ADHOC_OPERATORS), "KANADE_ADHOC_OPERATORS") ?? file.adhoc_operators;
  const approval = boolSetting(nonEmpty(env.KANADE_ADHOC_REQUIRE_APPROVAL), "KANADE_ADHOC_REQUIRE_APPROVAL") ?? file.adhoc_require_approval;
  return { ...(operators !== undefined ? { adhocOperators: operators } : {}), ...(approval !== undefined ? { adhocRequireApproval: approval } : {}) };
}

/** A comma-separated list (or TOML array) of broker URLs, checked and joined with commas. */
function natsUrlList(value: string | readonly string[] | undefined, key: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseNatsUrls(value);
  if (!parsed.ok) throw invalid(key, `${key}: ${parsed.message}`);
  return parsed.urls.join(",");
}

function replicasSetting(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 5) {
    throw invalid("KANADE_NATS_REPLICAS", `KANADE_NATS_REPLICAS: expected a number of replicas from 1 to 5 (3 for a three-node cluster), got "${text}"`);
  }
  return n;
}

function durationSetting(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < 1_000) throw invalid(key, `${key}: expected a duration of at least 1s like 7d or 12h, got "${text}"`);
  return ms;
}

function checkDatabaseUrl(url: string): void {
  if (url.startsWith("sqlite://")) {
    if (url.length === "sqlite://".length) throw invalid("DATABASE_URL", "DATABASE_URL: sqlite:// needs a file path, e.g. sqlite://./kanade.db");
    return;
  }
  if (isPostgresUrl(url)) {
    if (!URL.canParse(url)) throw invalid("DATABASE_URL", "DATABASE_URL: not a valid postgres:// URL, e.g. postgres://kanade@db.example/kanade");
    return;
  }
  throw invalid("DATABASE_URL", `DATABASE_URL: expected sqlite://<path> or postgres://<user>@<host>/<database>, got "${url}"`);
}

/** `postgres://…` or `postgresql://…`: the backend's database is a PostgreSQL server. */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//.test(databaseUrl);
}

/**
 * Where the backend keeps the files that go with its database (command-signing keys, the session secret):
 * `stateDir` when configured, else the SQLite file's directory, or the working directory when the database
 * is PostgreSQL; undefined for an in-memory SQLite database (nowhere to keep them).
 */
export function stateDir(config: Pick<BackendConfig, "databaseUrl" | "stateDir">): string | undefined {
  if (config.stateDir) return resolve(config.stateDir);
  if (isPostgresUrl(config.databaseUrl)) return resolve(".");
  const file = sqlitePath(config.databaseUrl);
  return file === ":memory:" ? undefined : dirname(resolve(file));
}

/** `sqlite://./kanade.db` → `./kanade.db`; `sqlite:///var/lib/kanade.db` → `/var/lib/kanade.db`. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.slice("sqlite://".length);
}
