/**
 * The environment a script runs with: the agent's own, minus every credential the agent holds, plus
 * the four KANADE_* variables that say which run this is. A job's output is readable by every viewer,
 * so a script that prints `env` (or a crash dump of it) must not reveal how the agent reaches the broker.
 */

/** What the script is told about its run. */
export interface ScriptRun {
  pcId: string;
  execId: string;
  jobId: string;
  jobVersion: string;
  /** Where the script may append its timeline events, one JSON object per line (`KANADE_EVENTS_FILE`). */
  eventsFile?: string;
}

/** The variables config.ts reads credentials from; removed by name whatever their value. */
export const CREDENTIAL_VARS = ["KANADE_NATS_TOKEN", "KANADE_NATS_USER", "KANADE_NATS_PASSWORD"] as const;

/** KANADE_* names that hold secrets now or later (enrollment token, nkey seed, creds file, keys). */
const SECRET_NAME_RE = /^KANADE_\w*(TOKEN|PASSWORD|PASSWD|SECRET|SEED|NKEY|CREDS|CREDENTIAL|KEY)/i;
/** A URL with `user[:password]@` in it, as a KANADE_NATS_URL may carry. */
const USERINFO_URL_RE = /[a-z][a-z0-9+.-]*:\/\/[^/\s@,]+@/i;
/** Shorter secret values are matched only exactly: a 3-letter token would otherwise blank PATH. */
const MIN_SUBSTRING_SECRET = 8;

const RUN_VARS = ["KANADE_PC_ID", "KANADE_EXEC_ID", "KANADE_JOB_ID", "KANADE_JOB_VERSION", "KANADE_EVENTS_FILE"] as const;

function carriesSecret(name: string, value: string, secrets: readonly string[]): boolean {
  const upper = name.toUpperCase();
  if ((CREDENTIAL_VARS as readonly string[]).includes(upper) || SECRET_NAME_RE.test(upper)) return true;
  if (upper.startsWith("KANADE_") && USERINFO_URL_RE.test(value)) return true;
  // A credential the agent read from its TOML file or the registry, copied into some other variable.
  return secrets.some((s) => s !== "" && (value === s || (s.length >= MIN_SUBSTRING_SECRET && value.includes(s))));
}

/**
 * `base` (the agent's environment) without secret-bearing variables, then the run's KANADE_* values.
 * Names compare case-insensitively, as Windows does. `secrets` are the credential values in use.
 */
export function scriptEnv(base: NodeJS.ProcessEnv, secrets: readonly string[], run: ScriptRun): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if ((RUN_VARS as readonly string[]).includes(name.toUpperCase())) continue;
    if (carriesSecret(name, value, secrets)) continue;
    env[name] = value;
  }
  env.KANADE_PC_ID = run.pcId;
  env.KANADE_EXEC_ID = run.execId;
  env.KANADE_JOB_ID = run.jobId;
  env.KANADE_JOB_VERSION = run.jobVersion;
  if (run.eventsFile !== undefined) env.KANADE_EVENTS_FILE = run.eventsFile;
  return env;
}
