/** The publishing half of an exec, shared by `POST /api/exec` and an approval: check the script, pin the version, publish. */
import { KanadeError, type Manifest } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { planCommands, publishCommands, type ExecPlanInput, type PublishLog } from "./publish.js";

/** Hex digest of the job's script object, or undefined for inline scripts; CONFLICT when the object is missing. */
export async function scriptDigestFor(deps: Pick<RouteDeps, "catalog">, manifest: Manifest): Promise<string | undefined> {
  if (manifest.execute.script_object === undefined) return undefined;
  const sha = await deps.catalog.scriptObjectSha256(manifest.execute.script_object);
  if (!sha) {
    throw new KanadeError(
      "CONFLICT",
      `Job "${manifest.id}" runs script object "${manifest.execute.script_object}", which is not in the scripts store; publish it first`,
    );
  }
  return sha;
}

/**
 * Pins script_current to this version, then publishes one Command per target subject; returns the subject
 * count. All or nothing (see publishCommands): on failure nothing stays queued, unless it throws
 * CommandsLeftQueuedError.
 */
export async function publishExecution(
  deps: Pick<RouteDeps, "catalog" | "nats" | "log">,
  opts: ExecPlanInput & { log?: PublishLog },
): Promise<number> {
  // Agents compare against script_current before running: it must name this version first.
  await deps.catalog.setCurrent(opts.manifest.id, opts.manifest.version);
  const plans = planCommands(opts);
  await publishCommands(deps.nats, plans, opts.log ?? deps.log);
  return plans.length;
}
