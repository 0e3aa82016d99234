/**
 * Agent secrets from the Windows registry (SPEC §6: `HKLM:\SOFTWARE\Kanade\agent`, value `NatsToken`),
 * read with `reg.exe query` so no native addon is needed. Only the platform module calls this, on win32.
 */
import { spawnSync } from "node:child_process";
import { KanadeError, readRegString, type RegQuery } from "@kanade/protocol/wire";

export const AGENT_REGISTRY_KEY = "HKLM\\SOFTWARE\\Kanade\\agent";
export const NATS_TOKEN_VALUE = "NatsToken";

export { parseRegQuery, type RegQuery, type RegValue } from "@kanade/protocol/wire";

const READ_TIMEOUT_MS = 5_000;

const runRegQuery: RegQuery = (key, name) =>
  spawnSync("reg.exe", ["query", key, "/v", name], { encoding: "utf8", windowsHide: true, timeout: READ_TIMEOUT_MS });

/**
 * The NatsToken string, or undefined when it is absent or empty. A value of the wrong type, or a
 * `reg.exe` that cannot run, fails loudly (INVALID_CONFIG) rather than connecting without a token.
 */
export function readRegistryNatsToken(query: RegQuery = runRegQuery): string | undefined {
  return readRegistryString(NATS_TOKEN_VALUE, query);
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

/** Reads a REG_SZ value of the agent key; undefined when absent or empty; INVALID_CONFIG naming it when unreadable. */
export function readRegistryString(name: string, query: RegQuery = runRegQuery): string | undefined {
  try {
    return readRegString(query, AGENT_REGISTRY_KEY, name);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new KanadeError("INVALID_CONFIG", `cannot read ${AGENT_REGISTRY_KEY}\\${name}: ${message}`, { details: [{ path: name, message }], cause: err });
  }
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
