/** Job catalog routes: create (JSON or YAML), list, show, export YAML, delete (which also revokes). */
import type { FastifyInstance } from "fastify";
import YAML from "yaml";
import { z } from "zod";
import { KanadeError, SCRIPT_STATUS, jobIdSchema, parseManifestYaml, validateManifest, type JobDetail } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { summarize } from "../jobs/catalog.js";
import { invalidManifest, publishJob } from "../jobs/publish.js";
import { requireNats } from "../nats.js";
import { callerOf } from "./caller.js";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];
const idParams = z.object({ id: jobIdSchema });

export function jobRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // Raw YAML is kept as text: it is validated here and stored verbatim in `jobs_yaml`.
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => done(null, body));
  const publishDeps = {
    catalog: deps.catalog,
    audit: deps.auditLog,
    clock: deps.clock,
    maxValueBytes: () => deps.nats.nc.info?.max_payload ?? 1024 * 1024,
  };

  app.post("/api/jobs", async (req, reply) => {
    const isYaml = typeof req.body === "string";
    const parsed = isYaml ? parseManifestYaml(req.body as string) : validateManifest(req.body);
    if (!parsed.ok) throw invalidManifest(parsed.issues);
    requireNats(deps.nats);
    const yaml = isYaml ? (req.body as string) : YAML.stringify(req.body);
    const r = await publishJob(publishDeps, callerOf(req), { manifest: parsed.manifest, yaml });
    req.log.info({ job_id: r.id, version: r.version, created: r.created }, "job stored");
    return reply.status(r.created ? 201 : 200).send({ id: r.id, version: r.version });
  });

  app.get("/api/jobs", async () => ({ items: await deps.catalog.list(), next_cursor: null }));

  app.get("/api/jobs/:id", async (req): Promise<JobDetail> => {
    const { id } = parseOr400(idParams, req.params, "job id");
    const manifest = await deps.catalog.get(id);
    if (!manifest) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
    const status = (await deps.catalog.status(id)) ?? SCRIPT_STATUS.ACTIVE;
    return { ...summarize(manifest, status), manifest };
  });

  app.get("/api/jobs/:id/yaml", async (req, reply) => {
    const { id } = parseOr400(idParams, req.params, "job id");
    const text = await deps.catalog.getYaml(id);
    if (text === undefined) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
    return reply.type("text/yaml; charset=utf-8").send(text);
  });

  app.delete("/api/jobs/:id", async (req) => {
    const { id } = parseOr400(idParams, req.params, "job id");
    requireNats(deps.nats);
    await deps.auditLog.around(callerOf(req), { action: "job.delete", target: id }, async () => {
      if (!(await deps.catalog.remove(id))) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
    });
    req.log.info({ job_id: id }, "job deleted and revoked");
    return { id, deleted: true, status: SCRIPT_STATUS.REVOKED };
  });
}
