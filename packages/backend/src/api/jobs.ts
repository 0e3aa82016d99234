/** Job catalog routes: create (YAML or JSON), list, show, export YAML, delete (which also revokes), revoke, unrevoke. */
import type { FastifyInstance } from "fastify";
import YAML from "yaml";
import { KanadeError, SCRIPT_STATUS, parseManifestYaml, validateManifest, type ScriptStatus } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { manifestFromRun } from "../executions/adhoc.js";
import { summarize } from "../jobs/catalog.js";
import { invalidManifest, publishJob } from "../jobs/publish.js";
import { requireNats } from "../nats.js";
import { serve, type Handler } from "./route.js";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

export function jobRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // Raw YAML is kept as text: it is validated here and stored verbatim in `jobs_yaml`.
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => done(null, body));
  const publishDeps = {
    catalog: deps.catalog,
    audit: deps.auditLog,
    clock: deps.clock,
    maxValueBytes: () => deps.nats.nc.info?.max_payload ?? 1024 * 1024,
  };
  const mustGet = async (id: string) => {
    const manifest = await deps.catalog.get(id);
    if (!manifest) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
    return manifest;
  };

  serve(app, "createJob", async ({ body }, ctx) => {
    const isYaml = typeof body === "string";
    const parsed = isYaml ? parseManifestYaml(body) : validateManifest(body);
    if (!parsed.ok) throw invalidManifest(parsed.issues);
    const approver = parsed.manifest.approval?.approver_group;
    // Strict: a job nobody could ever approve is refused when it is stored, not when it is first run.
    if (approver !== undefined && !deps.permGroups?.exists(approver)) {
      throw invalidManifest([{ path: "approval.approver_group", message: `no permission group "${approver}" (kanade perm-group list)` }]);
    }
    requireNats(deps.nats);
    const r = await publishJob(publishDeps, ctx.caller, { manifest: parsed.manifest, yaml: isYaml ? body : YAML.stringify(body) });
    ctx.req.log.info({ job_id: r.id, version: r.version, created: r.created }, "job stored");
    if (!r.created) ctx.status(200);
    return { id: r.id, version: r.version };
  });

  // An ad-hoc run's script becomes a job: the same shell, script, timeout and run_as, checked like any manifest.
  serve(app, "promoteRun", async ({ params, body }, ctx) => {
    const recorded = await deps.executions.adhocScript(params.exec_id);
    const parsed = validateManifest(manifestFromRun(recorded, body));
    if (!parsed.ok) throw invalidManifest(parsed.issues);
    requireNats(deps.nats);
    const yaml = YAML.stringify(parsed.manifest, { blockQuote: "literal" });
    const r = await publishJob(publishDeps, ctx.caller, { manifest: parsed.manifest, yaml, about: { from_run: params.exec_id } });
    ctx.req.log.info({ job_id: r.id, version: r.version, exec_id: params.exec_id }, "ad-hoc run promoted to a job");
    if (!r.created) ctx.status(200);
    return { id: r.id, version: r.version };
  });

  serve(app, "listJobs", async () => ({ items: await deps.catalog.list(), next_cursor: null }));

  serve(app, "getJob", async ({ params }) => {
    const manifest = await mustGet(params.id);
    return { ...summarize(manifest, (await deps.catalog.status(params.id)) ?? SCRIPT_STATUS.ACTIVE), manifest };
  });

  serve(app, "exportJob", async ({ params }) => {
    const text = await deps.catalog.getYaml(params.id);
    if (text === undefined) throw new KanadeError("JOB_NOT_FOUND", `No job "${params.id}"`);
    return text;
  });

  serve(app, "deleteJob", async ({ params }, ctx) => {
    requireNats(deps.nats);
    await deps.auditLog.around(ctx.caller, { action: "job.delete", target: params.id }, async () => {
      if (!(await deps.catalog.remove(params.id))) throw new KanadeError("JOB_NOT_FOUND", `No job "${params.id}"`);
    });
    ctx.req.log.info({ job_id: params.id }, "job deleted and revoked");
    return { id: params.id, deleted: true as const, status: SCRIPT_STATUS.REVOKED };
  });

  // Revocation flips `script_status`, which every agent checks before running.
  const setStatus = (action: "revoke" | "unrevoke", status: ScriptStatus): Handler<"revokeJob" | "unrevokeJob"> => async ({ params }, ctx) => {
    const id = params.id;
    requireNats(deps.nats);
    // A deleted job still has a status entry (REVOKED); only ids never seen are unknown.
    const known = (await deps.catalog.get(id)) !== undefined || (await deps.catalog.status(id)) !== undefined;
    if (!known) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
    await deps.auditLog.around(ctx.caller, { action: `script.${action}`, target: id, payload: { status } }, () => deps.catalog.setStatus(id, status));
    deps.log.info({ job_id: id, status }, `job ${action}d`);
    return { id, status };
  };
  serve(app, "revokeJob", setStatus("revoke", SCRIPT_STATUS.REVOKED));
  serve(app, "unrevokeJob", setStatus("unrevoke", SCRIPT_STATUS.ACTIVE));
}
