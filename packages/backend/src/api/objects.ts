/**
 * App packages and script objects: files streamed into and out of the `app_packages` / `scripts` object
 * stores, one version per key. Downloads carry `Content-Length` and the digest in hex (x-kanade-sha256) and NATS form.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ObjectInfo } from "@nats-io/obj";
import { DIGEST_HEADER, KanadeError, OBJECT_STORES, SHA256_HEADER, objectKey, type ObjectStoreName } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { requireNats } from "../nats.js";
import { digestToHex } from "../jobs/catalog.js";
import { listLive, openObjectStore, putStream, readStream, requireInfo, toStoredObject } from "../objects/streaming.js";
import { acceptRawBodies } from "./raw-body.js";
import { serve } from "./route.js";

/** Streams a stored object to the client with its size and digests in the headers. */
export function sendObject(deps: RouteDeps, reply: FastifyReply, store: string, info: ObjectInfo): FastifyReply {
  return reply
    .header("content-type", "application/octet-stream")
    .header("content-length", String(info.size))
    .header(SHA256_HEADER, digestToHex(info.digest) ?? "")
    .header(DIGEST_HEADER, info.digest)
    .send(readStream(deps.nats, store, info));
}

type ObjectRouteNames = {
  list: "listAppPackages" | "listScriptObjects";
  upload: "uploadAppPackage" | "uploadScriptObject";
  download: "downloadAppPackage" | "downloadScriptObject";
  remove: "deleteAppPackage" | "deleteScriptObject";
};

function objectRoutes(app: FastifyInstance, deps: RouteDeps, names: ObjectRouteNames, store: ObjectStoreName, audit: string): void {
  serve(app, names.list, async () => {
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    return { items: (await listLive(os)).map(toStoredObject), next_cursor: null };
  });

  serve(app, names.download, async ({ params }, ctx) => {
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    const info = await requireInfo(os, store, objectKey(params.name, params.version));
    ctx.req.log.info({ store, key: info.name, size: info.size }, "object download");
    return sendObject(deps, ctx.reply, store, info);
  });

  serve(app, names.remove, async ({ params }, ctx) => {
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    const key = objectKey(params.name, params.version);
    await requireInfo(os, store, key);
    await deps.auditLog.around(ctx.caller, { action: `${audit}.delete`, target: key }, () => os.delete(key));
    ctx.req.log.info({ store, key }, "object deleted");
    return { key, deleted: true as const };
  });

  // Uploads live in their own scope so only they bypass the JSON parsers and body limit.
  app.register(async (scope) => {
    acceptRawBodies(scope);
    serve(scope, names.upload, async ({ params, query }, ctx) => {
      requireNats(deps.nats);
      const os = await openObjectStore(deps.nats, store);
      const key = objectKey(params.name, params.version);
      const existing = await os.info(key);
      if (existing && !existing.deleted && !query.force) {
        ctx.req.raw.resume(); // drain what the client is sending so it reads our answer
        throw new KanadeError("CONFLICT", `${key} is already published in ${store}; publish a new version (or pass force=true to replace it)`);
      }
      const replaced = Boolean(existing && !existing.deleted);
      const info = await deps.auditLog.around(
        ctx.caller,
        { action: `${audit}.publish`, target: key, payload: { replaced } },
        () => putStream(os, key, ctx.req.raw, { uploaded_by: ctx.caller.actor }),
        (i) => ({ payload: { size: i.size, sha256: toStoredObject(i).sha256, replaced } }),
      );
      const stored = toStoredObject(info);
      ctx.req.log.info({ store, key, size: info.size, sha256: stored.sha256 }, "object published");
      return stored;
    });
  });
}

export function appPackageRoutes(app: FastifyInstance, deps: RouteDeps): void {
  objectRoutes(
    app,
    deps,
    { list: "listAppPackages", upload: "uploadAppPackage", download: "downloadAppPackage", remove: "deleteAppPackage" },
    OBJECT_STORES.appPackages,
    "app_package",
  );
  objectRoutes(
    app,
    deps,
    { list: "listScriptObjects", upload: "uploadScriptObject", download: "downloadScriptObject", remove: "deleteScriptObject" },
    OBJECT_STORES.scripts,
    "script_object",
  );
}
