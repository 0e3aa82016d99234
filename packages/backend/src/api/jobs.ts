/** Job catalog routes: create (JSON or YAML), list, show, export YAML, delete (which also revokes). */
import type { FastifyInstance } from "fastify";
import YAML from "yaml";
import { z } from "zod";
import {
  KanadeError,
  SCRIPT_STATUS,
  formatIssues,
  jobIdSchema,
  parseManifestYaml,
  validateManifest,
  type JobDetail,
  type ManifestIssue,
} from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { requireNats } from "../nats.js";
import { summarize } from "../jobs/catalog.js";

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];
const idParams = z.object({ id: jobIdSchema });

function invalid(issues: ManifestIssue[]): KanadeError {
  return new KanadeError("INVALID_MANIFEST", `The job manifest is invalid:\n${formatIssues(issues)}`, { details: issues });
}

export function jobRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // Raw YAML is kept as text: it is validated here and stored verbatim in `jobs_yaml`.
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.post("/api/jobs", async (req, reply) => {
    const isYaml = typeof req.body === "string";
    const parsed = isYaml ? parseManifestYaml(req.body as string) : validateManifest(req.body);
    if (!parsed.ok) throw invalid(parsed.issues);
    const manifest = parsed.manifest;
    if (manifest.execute.script_file !== undefined) {
      throw invalid([{ path: "execute.script_file", message: "the CLI inlines script_file; send script instead" }]);
    }
    requireNats(deps.nats);
    const text = isYaml ? (req.body as string) : YAML.stringify(req.body);
    const { created } = await deps.catalog.put(manifest, text);
    req.log.info({ job_id: manifest.id, version: manifest.version, created }, "job stored");
    await deps.audit(req, created ? "job.create" : "job.replace", manifest.id, { version: manifest.version });
    return reply.status(created ? 201 : 200).send({ id: manifest.id, version: manifest.version });
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
    if (!(await deps.catalog.remove(id))) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
    req.log.info({ job_id: id }, "job deleted and revoked");
    await deps.audit(req, "job.delete", id);
    return { id, deleted: true, status: SCRIPT_STATUS.REVOKED };
  });
}
