/**
 * Files the one-line installers hand out besides the agent build: the WinSW wrapper the Windows installer
 * registers as the KanadeAgent service, and the fleet CA for a `tls://` broker. Read when a script is
 * asked for, so a replaced wrapper or CA is picked up without a restart.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KanadeError } from "@kanade/protocol";

export interface ServiceWrapper {
  path: string;
  size: number;
  sha256: string;
  /** The file itself (WinSW is well under a MiB): what is sent is what was hashed. */
  data: Buffer;
}

/**
 * The wrapper to hand out: the configured one (`agent_service_wrapper`), else on a Windows backend its
 * own wrapper beside it (deploy-backend.ps1 installs WinSW as `KanadeBackend.exe` next to the backend).
 */
export function serviceWrapperPath(configured: string | undefined, platform: NodeJS.Platform = process.platform, execPath = process.execPath): string | undefined {
  if (configured !== undefined) return configured;
  if (platform !== "win32") return undefined;
  const own = join(dirname(execPath), "KanadeBackend.exe");
  return existsSync(own) ? own : undefined;
}

/** The wrapper with its digest, or a CONFLICT naming the setting when there is none. */
export function readServiceWrapper(path: string | undefined): ServiceWrapper {
  if (path === undefined) {
    throw new KanadeError(
      "CONFLICT",
      "The Windows installer needs the WinSW service wrapper: set agent_service_wrapper (KANADE_AGENT_SERVICE_WRAPPER) to the KanadeAgent.exe of a dist/agent release folder",
    );
  }
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new KanadeError("CONFLICT", `agent_service_wrapper: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return { path, size: data.length, sha256: createHash("sha256").update(data).digest("hex"), data };
}

/** The CA (PEM) agents need for a `tls://` broker: the one the backend trusts; undefined without TLS. */
export function readAgentCa(natsCa: string | undefined): string | undefined {
  return natsCa === undefined ? undefined : readFileSync(natsCa, "utf8");
}
