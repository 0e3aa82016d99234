/**
 * Agent secrets from the Windows registry (SPEC §6: `HKLM:\SOFTWARE\Kanade\agent`, value `NatsToken`),
 * read with `reg.exe query` so no native addon is needed. Only the platform module calls this, on win32.
 */
import { spawnSync } from "node:child_process";
import { KanadeError } from "@kanade/protocol/wire";

export const AGENT_REGISTRY_KEY = "HKLM\\SOFTWARE\\Kanade\\agent";
export const NATS_TOKEN_VALUE = "NatsToken";

/** The registry value types `reg query` prints as text we can use as a string. */
const STRING_TYPES = new Set(["REG_SZ", "REG_EXPAND_SZ"]);
const READ_TIMEOUT_MS = 5_000;

export interface RegValue {
  type: string;
  data: string;
}

/**
 * Finds value `name` in `reg query` output. Value lines are `    <name>    <REG_TYPE>    <data>`
 * (four-space separators; data may itself hold spaces, or be missing when empty). Names compare
 * case-insensitively, as the registry does. Undefined when the value is not listed.
 */
export function parseRegQuery(output: string, name: string): RegValue | undefined {
  const wanted = name.toLowerCase();
  for (const line of output.split(/\r?\n/)) {
    const m = /^ {4}(.+?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/.exec(line.replace(/\r$/, ""));
    if (m && m[1]!.toLowerCase() === wanted) return { type: m[2]!, data: m[3] ?? "" };
  }
  return undefined;
}

/** Runs `reg query <key> /v <name>` (the shape of `spawnSync`'s answer, so tests can stand in for reg.exe). */
export type RegQuery = (key: string, name: string) => { status: number | null; stdout: string; stderr: string; error?: Error };

const runRegQuery: RegQuery = (key, name) =>
  spawnSync("reg.exe", ["query", key, "/v", name], { encoding: "utf8", windowsHide: true, timeout: READ_TIMEOUT_MS });

const unreadable = (message: string, cause?: unknown): KanadeError =>
  new KanadeError("INVALID_CONFIG", `cannot read ${AGENT_REGISTRY_KEY}\\${NATS_TOKEN_VALUE}: ${message}`, {
    details: [{ path: NATS_TOKEN_VALUE, message }],
    cause,
  });

/**
 * The NatsToken string, or undefined when it is absent or empty. A value of the wrong type, or a
 * `reg.exe` that cannot run, fails loudly (INVALID_CONFIG) rather than connecting without a token.
 */
export function readRegistryNatsToken(query: RegQuery = runRegQuery): string | undefined {
  const r = query(AGENT_REGISTRY_KEY, NATS_TOKEN_VALUE);
  if (r.error) throw unreadable(r.error.message, r.error);
  // reg.exe exits 1 both for a missing key and a missing value: nothing configured there.
  if (r.status === 1) return undefined;
  if (r.status !== 0) throw unreadable(`reg.exe exited with ${r.status ?? "a signal"}: ${r.stderr.trim()}`);
  const value = parseRegQuery(r.stdout, NATS_TOKEN_VALUE);
  if (!value) return undefined;
  if (!STRING_TYPES.has(value.type)) throw unreadable(`expected a REG_SZ string, found ${value.type}`);
  return value.data === "" ? undefined : value.data;
}

/** The enrollment token deploy/agent.ps1 stores (`-EnrollToken`): the join request is accepted at once. */
export const ENROLL_TOKEN_VALUE = "EnrollToken";
/** Path of the fleet CA's PEM file deploy/agent.ps1 copies (`-CaFile`), for `tls://` brokers. */
export const NATS_CA_VALUE = "NatsCa";
/** Path of the enrollment `.creds` file deploy/agent.ps1 copies (`-EnrollCreds`): it can only ask to join. */
export const ENROLL_CREDS_VALUE = "EnrollCreds";

/** Where a Windows agent keeps its enrollment key pair's seed (its private key never leaves the PC). */
export const AGENT_SEED_VALUE = "AgentSeed";

/** `reg.exe` arguments that store `data` as a REG_SZ value, replacing one already there. */
export function regAddArgs(key: string, name: string, data: string): string[] {
  return ["add", key, "/v", name, "/t", "REG_SZ", "/d", data, "/f"];
}

/** Reads a REG_SZ value of the agent key; undefined when absent or empty. */
export function readRegistryString(name: string, query: RegQuery = runRegQuery): string | undefined {
  const r = query(AGENT_REGISTRY_KEY, name);
  const fail = (message: string, cause?: unknown): KanadeError =>
    new KanadeError("INVALID_CONFIG", `cannot read ${AGENT_REGISTRY_KEY}\\${name}: ${message}`, { details: [{ path: name, message }], cause });
  if (r.error) throw fail(r.error.message, r.error);
  if (r.status === 1) return undefined;
  if (r.status !== 0) throw fail(`reg.exe exited with ${r.status ?? "a signal"}: ${r.stderr.trim()}`);
  const value = parseRegQuery(r.stdout, name);
  if (!value) return undefined;
  if (!STRING_TYPES.has(value.type)) throw fail(`expected a REG_SZ string, found ${value.type}`);
  return value.data === "" ? undefined : value.data;
}

/** Runs `reg.exe` with `args` (the shape of `spawnSync`'s answer, so tests can stand in for it). */
export type RegRun = (args: string[]) => { status: number | null; stderr: string; error?: Error };

const runReg: RegRun = (args) => spawnSync("reg.exe", args, { encoding: "utf8", windowsHide: true, timeout: READ_TIMEOUT_MS });

export function writeRegistryString(name: string, data: string, run: RegRun = runReg): void {
  const r = run(regAddArgs(AGENT_REGISTRY_KEY, name, data));
  if (r.error || r.status !== 0) {
    throw new KanadeError("INTERNAL", `cannot write ${AGENT_REGISTRY_KEY}\\${name}: ${r.error?.message ?? r.stderr.trim()}`, { cause: r.error });
  }
}
