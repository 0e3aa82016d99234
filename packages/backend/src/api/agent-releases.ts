/**
 * Agent builds in `agent_releases`, under their own prefix so no PC id is shadowed. The CLI reads the version
 * from a Windows binary's VERSIONINFO; the backend trusts the query, which the audit event records.
 */
import type { FastifyInstance } from "fastify";
import { KanadeError, OBJECT_STORES, parseReleaseKey, releaseKey, type AgentRelease } from "@kanade/protocol";
import type { ObjectInfo } from "@nats-io/obj";
import type { RouteDeps } from "../deps.js";
import { digestToHex } from "../jobs/catalog.js";
import { requireNats } from "../nats.js";
import { listLive, openObjectStore, putStream, requireInfo } from "../objects/streaming.js";
import { sendObject } from "./objects.js";
import { acceptRawBodies } from "./raw-body.js";
import { serve } from "./route.js";

const STORE = OBJECT_STORES.agentReleases;

export function toRelease(info: ObjectInfo): AgentRelease {
  return { key: info.name, ...parseReleaseKey(info.name), size: info.size, digest: info.digest, sha256: digestToHex(info.digest) ?? "", mtime: info.mtime };
}

/** Every published build, newest first. */
export async function listReleases(deps: Pick<RouteDeps, "nats">): Promise<AgentRelease[]> {
  return (await listLive(await openObjectStore(deps.nats, STORE))).map(toRelease);
}

export function agentReleaseRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "listAgentReleases", async () => {
    requireNats(deps.nats);
    return { items: await listReleases(deps), next_cursor: null };
  });

  serve(app, "downloadAgentRelease", async ({ params }, ctx) => {
    requireNats(deps.nats);
    const info = await requireInfo(await openObjectStore(deps.nats, STORE), STORE, params.key);
    return sendObject(deps, ctx.reply, STORE, info);
  });

  serve(app, "deleteAgentRelease", async ({ params }, ctx) => {
    const key = params.key;
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, STORE);
    await requireInfo(os, STORE, key);
    await deps.auditLog.around(ctx.caller, { action: "agent_release.delete", target: key }, () => os.delete(key));
    ctx.req.log.info({ key }, "agent release deleted");
    return { key, deleted: true as const };
  });

  app.register(async (scope) => {
    acceptRawBodies(scope);
    serve(scope, "publishAgentRelease", async ({ query }, ctx) => {
      requireNats(deps.nats);
      const os = await openObjectStore(deps.nats, STORE);
      const key = releaseKey(query.version, query.platform);
      const existing = await os.info(key);
      if (existing && !existing.deleted && !query.force) {
        ctx.req.raw.resume();
        throw new KanadeError("CONFLICT", `agent ${key} is already published; bump the version (or pass force=true to replace it)`);
      }
      const about = { version: query.version, platform: query.platform };
      const release = await deps.auditLog.around(
        ctx.caller,
        { action: "agent_release.publish", target: key, payload: about },
        async () => toRelease(await putStream(os, key, ctx.req.raw, { uploaded_by: ctx.caller.actor, ...about })),
        (r) => ({ payload: { ...about, size: r.size, sha256: r.sha256 } }),
      );
      ctx.req.log.info({ key, size: release.size, sha256: release.sha256 }, "agent release published");
      return release;
    });
  });
}
