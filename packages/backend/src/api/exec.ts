/** `POST /api/exec/:job_id`: record the execution and its expected PCs, then publish Commands into EXEC. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, SCRIPT_STATUS, execRequestSchema, jobIdSchema, type ExecResponse } from "@kanade/protocol";
import { v7 as uuidv7 } from "uuid";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { requireNats } from "../nats.js";
import { holdForApproval } from "../exec/approval.js";
import { publishExecution, scriptDigestFor } from "../exec/launch.js";
import { CommandsLeftQueuedError, normalizeTarget, type ExecTarget } from "../exec/publish.js";

const params = z.object({ job_id: jobIdSchema });

/** The PCs expected to answer: named pcs, members of named groups, or every known agent. */
async function expectedPcs(deps: RouteDeps, target: ExecTarget): Promise<string[]> {
  const pcs = new Set<string>(target.pcs ?? []);
  for (const g of target.groups ?? []) for (const pc of deps.groups.members(g)) pcs.add(pc);
  if (target.all) for (const pc of await deps.store.agentIds()) pcs.add(pc);
  return [...pcs].sort();
}

export function execRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post("/api/exec/:job_id", async (req, reply) => {
    const { job_id } = parseOr400(params, req.params, "job id");
    const body = parseOr400(execRequestSchema, req.body ?? {}, "exec request");
    const target = normalizeTarget(body);
    if (!target.pcs && !target.groups && !target.all) {
      throw new KanadeError("NO_TARGET", "No target: give pcs, groups or all", {
        details: [{ path: "", message: "one of pcs, groups or all is required" }],
      });
    }
    requireNats(deps.nats);
    const manifest = await deps.catalog.get(job_id);
    if (!manifest) throw new KanadeError("JOB_NOT_FOUND", `No job "${job_id}"`);
    if ((await deps.catalog.status(job_id)) === SCRIPT_STATUS.REVOKED) {
      throw new KanadeError("CONFLICT", `Job "${job_id}" is revoked; run "kanade unrevoke ${job_id}" first`);
    }

    const scriptSha256 = await scriptDigestFor(deps, manifest);

    const execId = uuidv7();
    const now = deps.clock();
    const targets = await expectedPcs(deps, target);
    const log = req.log.child({ exec_id: execId, job_id });
    if (manifest.require_approval) {
      return reply.status(202).send(await holdForApproval(deps, req, { execId, manifest, target, targets, request: body, now }));
    }
    // The row goes in before any publish, so a fast result never lands on an unknown execution.
    await deps.store.insertExecution(
      {
        exec_id: execId,
        job_id,
        version: manifest.version,
        state: "running",
        target,
        target_count: targets.length,
        created_at: now.toISOString(),
        issued_by: req.actor,
        killed_at: null,
      },
      targets,
    );
    let published: number;
    try {
      published = await publishExecution(deps, { manifest, execId, request: body, target, issuedAt: now, issuedBy: req.actor, scriptSha256, log });
    } catch (err) {
      if (err instanceof CommandsLeftQueuedError) {
        // Some PCs may still get a command: keep the execution, marked killed, so it stays visible and killable.
        log.error({ err, queued: err.queuedSubjects }, "publishing commands failed and could not be withdrawn");
        await deps.store.markKilled(execId, deps.clock().toISOString());
      } else {
        // publishExecution withdrew whatever was queued: nothing runs, so the execution is forgotten.
        log.error({ err }, "publishing commands failed");
        await deps.store.deleteExecution(execId);
      }
      throw err;
    }
    log.info({ target_count: targets.length, subjects: published }, "execution published");
    await deps.audit(req, "exec.create", job_id, { exec_id: execId, version: manifest.version, target, target_count: targets.length });
    const res: ExecResponse = { exec_id: execId, target_count: targets.length, state: "running" };
    return reply.status(202).send(res);
  });
}
