/**
 * Agent builds in `agent_releases`: `POST /api/agents/publish?version=&platform=` (raw body),
 * `GET /api/agents/releases`, `GET|DELETE /api/agents/releases/{key}`. The CLI reads the version
 * from a Windows binary's VERSIONINFO; the backend trusts the query, which the audit event records.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  KanadeError,
  OBJECT_STORES,
  agentPlatformSchema,
  objectSegmentSchema,
  parseReleaseKey,
  releaseKey,
  type AgentRelease,
  type ListResponse,
} from "@kanade/protocol";
import type { ObjectInfo } from "@nats-io/obj";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { digestToHex } from "../jobs/catalog.js";
import { requireNats } from "../nats.js";
import { listLive, openObjectStore, putStream, requireInfo } from "../objects/streaming.js";
import { sendObject } from "./objects.js";
import { acceptRawBodies } from "./raw-body.js";
import { callerOf } from "./caller.js";

const STORE = OBJECT_STORES.agentReleases;
const publishQuery = z.object({
  version: objectSegmentSchema,
  platform: agentPlatformSchema.default("windows-x64"),
  force: z.enum(["true", "false", "1", "0"]).optional(),
});
const keyParams = z.object({ key: objectSegmentSchema });

export function toRelease(info: ObjectInfo): AgentRelease {
  return { key: info.name, ...parseReleaseKey(info.name), size: info.size, digest: info.digest, sha256: digestToHex(info.digest) ?? "", mtime: info.mtime };
}

/** Every published build, newest first. */
export async function listReleases(deps: Pick<RouteDeps, "nats">): Promise<AgentRelease[]> {
  return (await listLive(await openObjectStore(deps.nats, STORE))).map(toRelease);
}

export function agentReleaseRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/api/agents/releases", async (): Promise<ListResponse<AgentRelease>> => {
    requireNats(deps.nats);
    return { items: await listReleases(deps), next_cursor: null };
  });

  app.get("/api/agents/releases/:key", async (req, reply) => {
    const { key } = parseOr400(keyParams, req.params, "release key");
    requireNats(deps.nats);
    const info = await requireInfo(await openObjectStore(deps.nats, STORE), STORE, key);
    return sendObject(deps, reply, STORE, info);
  });

  app.delete("/api/agents/releases/:key", async (req) => {
    const { key } = parseOr400(keyParams, req.params, "release key");
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, STORE);
    await requireInfo(os, STORE, key);
    await deps.auditLog.around(callerOf(req), { action: "agent_release.delete", target: key }, () => os.delete(key));
    req.log.info({ key }, "agent release deleted");
    return { key, deleted: true };
  });

  app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.post("/api/agents/publish", async (req, reply) => {
      const q = parseOr400(publishQuery, req.query, "query");
      requireNats(deps.nats);
      const os = await openObjectStore(deps.nats, STORE);
      const key = releaseKey(q.version, q.platform);
      const existing = await os.info(key);
      if (existing && !existing.deleted && q.force !== "true" && q.force !== "1") {
        req.raw.resume();
        throw new KanadeError(
          "CONFLICT",
          `agent ${key} is already published; bump the version (or pass force=true to replace it)`,
        );
      }
      const about = { version: q.version, platform: q.platform };
      const release = await deps.auditLog.around(
        callerOf(req),
        { action: "agent_release.publish", target: key, payload: about },
        async () => toRelease(await putStream(os, key, req.raw, { uploaded_by: req.actor, version: q.version, platform: q.platform })),
        (r) => ({ payload: { ...about, size: r.size, sha256: r.sha256 } }),
      );
      req.log.info({ key, size: release.size, sha256: release.sha256 }, "agent release published");
      return reply.status(201).send(release);
    });
  });
}
