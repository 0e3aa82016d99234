/**
 * `GET|POST|DELETE /api/app-packages/{name}/{version}` and `/api/script-objects/{name}/{version}`,
 * plus `GET` of each collection: files streamed into and out of the `app_packages` / `scripts` object
 * stores. Downloads carry `Content-Length` and the digest in hex (x-kanade-sha256) and NATS form.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ObjectInfo } from "@nats-io/obj";
import { z } from "zod";
import {
  DIGEST_HEADER,
  KanadeError,
  OBJECT_STORES,
  SHA256_HEADER,
  objectKey,
  objectSegmentSchema,
  type ListResponse,
  type ObjectStoreName,
  type StoredObject,
} from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { requireNats } from "../nats.js";
import { digestToHex } from "../jobs/catalog.js";
import { listLive, openObjectStore, putStream, readStream, requireInfo, toStoredObject } from "../objects/streaming.js";
import { acceptRawBodies } from "./raw-body.js";
import { callerOf } from "./caller.js";

const params = z.object({ name: objectSegmentSchema, version: objectSegmentSchema });
const putQuery = z.object({ force: z.enum(["true", "false", "1", "0"]).optional() });

/** Streams a stored object to the client with its size and digests in the headers. */
export function sendObject(deps: RouteDeps, reply: FastifyReply, store: string, info: ObjectInfo): FastifyReply {
  return reply
    .header("content-type", "application/octet-stream")
    .header("content-length", String(info.size))
    .header(SHA256_HEADER, digestToHex(info.digest) ?? "")
    .header(DIGEST_HEADER, info.digest)
    .send(readStream(deps.nats, store, info));
}

function objectRoutes(app: FastifyInstance, deps: RouteDeps, path: string, store: ObjectStoreName, audit: string): void {
  app.get(path, async (): Promise<ListResponse<StoredObject>> => {
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    return { items: (await listLive(os)).map(toStoredObject), next_cursor: null };
  });

  app.get(`${path}/:name/:version`, async (req, reply) => {
    const { name, version } = parseOr400(params, req.params, "object key");
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    const info = await requireInfo(os, store, objectKey(name, version));
    req.log.info({ store, key: info.name, size: info.size }, "object download");
    return sendObject(deps, reply, store, info);
  });

  app.delete(`${path}/:name/:version`, async (req) => {
    const { name, version } = parseOr400(params, req.params, "object key");
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    const key = objectKey(name, version);
    await requireInfo(os, store, key);
    await deps.auditLog.around(callerOf(req), { action: `${audit}.delete`, target: key }, () => os.delete(key));
    req.log.info({ store, key }, "object deleted");
    return { key, deleted: true };
  });

  // Uploads live in their own scope so only they bypass the JSON parsers and body limit.
  app.register(async (scope) => {
    acceptRawBodies(scope);
    scope.post(`${path}/:name/:version`, async (req, reply) => {
      const { name, version } = parseOr400(params, req.params, "object key");
      const { force } = parseOr400(putQuery, req.query, "query");
      requireNats(deps.nats);
      const os = await openObjectStore(deps.nats, store);
      const key = objectKey(name, version);
      const existing = await os.info(key);
      if (existing && !existing.deleted && force !== "true" && force !== "1") {
        req.raw.resume(); // drain what the client is sending so it reads our answer
        throw new KanadeError("CONFLICT", `${key} is already published in ${store}; publish a new version (or pass force=true to replace it)`);
      }
      const replaced = Boolean(existing && !existing.deleted);
      const info = await deps.auditLog.around(
        callerOf(req),
        { action: `${audit}.publish`, target: key, payload: { replaced } },
        () => putStream(os, key, req.raw, { uploaded_by: req.actor }),
        (i) => ({ payload: { size: i.size, sha256: toStoredObject(i).sha256, replaced } }),
      );
      const stored = toStoredObject(info);
      req.log.info({ store, key, size: info.size, sha256: stored.sha256 }, "object published");
      return reply.status(201).send(stored);
    });
  });
}

export function appPackageRoutes(app: FastifyInstance, deps: RouteDeps): void {
  objectRoutes(app, deps, "/api/app-packages", OBJECT_STORES.appPackages, "app_package");
  objectRoutes(app, deps, "/api/script-objects", OBJECT_STORES.scripts, "script_object");
}
