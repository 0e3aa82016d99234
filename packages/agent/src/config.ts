/**
 * Agent configuration: an optional TOML file, then environment overrides, then for the secrets the deploy
 * script stores (NATS token, enrollment token, CA and enrollment creds paths) the registry on Windows
 * (SPEC §6 "Config").
 */
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import * as z from "zod";
import { KanadeError, PC_ID_RE, boundedDuration, commandKeySchema, keyIdOf, parseDurationMs, parseNatsUrls, type CommandKey } from "@kanade/protocol/wire";
import { parseCreds } from "@kanade/protocol/nkeys";
import type { AgentCredential } from "./connection.js";
import type { KlpSettings } from "./klp/index.js";
import { DEFAULT_KLP_PIPE } from "./platform/klp-relay.js";
import { pipeShortName } from "./platform/klp-relay-script.js";
import { platformSecrets, type PlatformSecrets } from "./platform/index.js";

export interface AgentConfig {
  pcId: string;
  natsUrl: string;
  natsToken?: string;
  natsUser?: string;
  natsPassword?: string;
  /** A broker credential given as a `.creds` file (`nats_creds` / KANADE_NATS_CREDS) instead of one enrolled. */
  credential?: AgentCredential;
  /** CA file the broker's certificate must chain to, for `tls://` URLs (`nats_ca` / KANADE_NATS_CA). */
  natsCa?: string;
  /** The shared enrollment credential (`enroll_creds` / KANADE_ENROLL_CREDS): it can only ask to join. */
  enrollCreds?: AgentCredential;
  /** An enrollment token (`enroll_token` / KANADE_ENROLL_TOKEN): the join request is accepted at once. */
  enrollToken?: string;
  /** How often a waiting join request is asked again (default 10s; tests shorten it). */
  enrollPollMs?: number;
  dataDir: string;
  logLevel: string;
  heartbeatIntervalMs: number;
  /** How often agent-side schedules are looked at (default 15s; tests shorten it). */
  scheduleTickMs?: number;
  /** Command-signing public keys trusted in addition to those pinned at enrollment (`command_keys`). */
  commandKeys?: CommandKey[];
  /** The local protocol for kanade-client (KLP); undefined: off. */
  klp?: KlpSettings;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const fileSchema = z
  .object({
    pc_id: z.string(),
    // One broker URL, several separated by commas, or an array of them (the nodes of a cluster).
    nats_url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    nats_token: z.string(),
    nats_user: z.string(),
    nats_password: z.string(),
    nats_creds: z.string().min(1),
    enroll_creds: z.string().min(1),
    nats_ca: z.string().min(1),
    enroll_token: z.string().min(1),
    data_dir: z.string().min(1),
    log: z.enum(LOG_LEVELS),
    heartbeat_interval: boundedDuration("30s").refine((s) => (parseDurationMs(s) ?? 0) >= 1_000, {
      message: "must be at least 1s",
    }),
    command_keys: z.array(z.string()),
    klp_enabled: z.boolean(),
    klp_dir: z.string().min(1),
    klp_users_dir: z.string().min(1),
    klp_pipe: z.string().min(1),
  })
  .partial()
  // A typo in a key must fail loudly instead of silently using a default.
  .strict();

/** Where the config file lives when KANADE_AGENT_CONFIG is not set. */
export function defaultConfigPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  return platform === "win32" ? join(programData(env), "Kanade", "agent.toml") : "/etc/kanade/agent.toml";
}

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  return platform === "win32" ? join(programData(env), "Kanade", "agent") : "/var/lib/kanade-agent";
}

/** Where the per-user KLP sockets live (POSIX). Windows serves the named pipe `klp_pipe` instead. */
export function defaultKlpDir(platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? "\\\\.\\pipe\\kanade-agent" : "/run/kanade/klp";
}

const programData = (env: NodeJS.ProcessEnv): string => env.ProgramData ?? env.PROGRAMDATA ?? "C:\\ProgramData";

const invalid = (message: string, path: string, cause?: unknown): KanadeError =>
  new KanadeError("INVALID_CONFIG", message, { details: [{ path, message }], cause });

function readConfigFile(env: NodeJS.ProcessEnv): z.infer<typeof fileSchema> {
  const explicit = env.KANADE_AGENT_CONFIG;
  const path = explicit ?? defaultConfigPath(process.platform, env);
  // Only the default path may be absent: env alone must be enough to run an agent.
  if (!explicit && !existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = parseToml(readFileSync(path, "utf8"));
  } catch (err) {
    throw invalid(`${path}: ${err instanceof Error ? err.message : String(err)}`, path, err);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : (issue?.path.join(".") ?? "");
    const what = issue?.code === "unrecognized_keys" ? `unknown key ${key}` : `${key}: ${issue?.message ?? "invalid"}`;
    throw invalid(`${path}: ${what}`, key);
  }
  return parsed.data;
}

/** KANADE_NATS_URL, else `nats_url` (a string or an array), as one comma-separated list nats.js fails over across. */
function natsUrlSetting(env: NodeJS.ProcessEnv, file: z.infer<typeof fileSchema>): string {
  const setting = env.KANADE_NATS_URL !== undefined ? "KANADE_NATS_URL" : "nats_url";
  const parsed = parseNatsUrls(env.KANADE_NATS_URL ?? file.nats_url ?? "nats://127.0.0.1:4222");
  if (!parsed.ok) throw invalid(`${setting}: ${parsed.message}`, setting);
  return parsed.urls.join(",");
}

/** One trusted public key as configured: base64url of the raw 32-byte Ed25519 key (the backend's `command-keys.json` lists them). */
function commandKey(publicKey: string, setting: string): CommandKey {
  const r = commandKeySchema.safeParse({ kid: keyIdOf(publicKey), public_key: publicKey });
  if (!r.success) throw invalid(`${setting}: "${publicKey}" is not a base64url Ed25519 public key (43 characters)`, setting);
  return r.data;
}

function readCreds(path: string, setting: string): AgentCredential {
  try {
    return parseCreds(readFileSync(path, "utf8"));
  } catch (err) {
    throw invalid(`${setting}: cannot use ${path}: ${err instanceof Error ? err.message : String(err)}`, setting, err);
  }
}

/**
 * Reads the TOML file (if any) and applies env overrides; throws KanadeError INVALID_CONFIG naming the
 * bad key. The NATS token, enrollment token, CA path and enrollment creds path come from env, else TOML,
 * else the platform's secret store (the registry on Windows), which is read only when the first two have none.
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env, secrets: PlatformSecrets = platformSecrets()): AgentConfig {
  const file = readConfigFile(env);
  const pcId = env.KANADE_AGENT_ID ?? file.pc_id ?? hostname();
  if (!PC_ID_RE.test(pcId)) {
    throw invalid(
      `pc_id "${pcId}" is not valid: use letters, digits, "_" and "-" (at most 63, starting with a letter or digit); set KANADE_AGENT_ID or pc_id`,
      "pc_id",
    );
  }
  const logLevel = env.KANADE_LOG ?? file.log ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw invalid(`log level "${logLevel}" is not one of ${LOG_LEVELS.join(", ")}`, "log");
  }
  const config: AgentConfig = {
    pcId,
    natsUrl: natsUrlSetting(env, file),
    dataDir: env.KANADE_AGENT_DATA_DIR ?? file.data_dir ?? defaultDataDir(process.platform, env),
    logLevel,
    heartbeatIntervalMs: parseDurationMs(file.heartbeat_interval ?? "30s") ?? 30_000,
  };
  const token = env.KANADE_NATS_TOKEN ?? file.nats_token ?? secrets.natsToken();
  const user = env.KANADE_NATS_USER ?? file.nats_user;
  const password = env.KANADE_NATS_PASSWORD ?? file.nats_password;
  const keys = env.KANADE_COMMAND_KEYS !== undefined ? env.KANADE_COMMAND_KEYS.split(",").map((k) => k.trim()).filter(Boolean) : file.command_keys;
  if (keys && keys.length > 0) config.commandKeys = keys.map((k) => commandKey(k, env.KANADE_COMMAND_KEYS !== undefined ? "KANADE_COMMAND_KEYS" : "command_keys"));
  const credsPath = env.KANADE_NATS_CREDS ?? file.nats_creds;
  if (credsPath) config.credential = readCreds(credsPath, env.KANADE_NATS_CREDS !== undefined ? "KANADE_NATS_CREDS" : "nats_creds");
  const natsCa = env.KANADE_NATS_CA ?? file.nats_ca ?? secrets.natsCa();
  if (natsCa) config.natsCa = natsCa;
  const enrollSetting = env.KANADE_ENROLL_CREDS !== undefined ? "KANADE_ENROLL_CREDS" : file.enroll_creds !== undefined ? "enroll_creds" : "registry value EnrollCreds";
  const enrollPath = env.KANADE_ENROLL_CREDS ?? file.enroll_creds ?? secrets.enrollCreds();
  if (enrollPath) config.enrollCreds = readCreds(enrollPath, enrollSetting);
  const enrollToken = env.KANADE_ENROLL_TOKEN ?? file.enroll_token ?? secrets.enrollToken();
  if (enrollToken) config.enrollToken = enrollToken;
  const klpSwitch = env.KANADE_KLP;
  if (klpSwitch !== undefined && !["on", "off"].includes(klpSwitch)) throw invalid(`KANADE_KLP must be "on" or "off", not "${klpSwitch}"`, "klp_enabled");
  if ((klpSwitch ?? (file.klp_enabled === false ? "off" : "on")) === "on") {
    const pipe = env.KANADE_KLP_PIPE ?? file.klp_pipe ?? DEFAULT_KLP_PIPE;
    try {
      pipeShortName(pipe);
    } catch (err) {
      throw invalid((err as Error).message, env.KANADE_KLP_PIPE !== undefined ? "KANADE_KLP_PIPE" : "klp_pipe", err);
    }
    config.klp = { dir: env.KANADE_KLP_DIR ?? file.klp_dir ?? defaultKlpDir(), usersDir: env.KANADE_KLP_USERS_DIR ?? file.klp_users_dir ?? "/run/user", pipe };
  }
  if (token) config.natsToken = token;
  if (user) config.natsUser = user;
  if (password) config.natsPassword = password;
  return config;
}
