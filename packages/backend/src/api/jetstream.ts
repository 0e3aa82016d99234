/**
 * `GET /api/jetstream/status` (usage vs limit of every stream, KV bucket and object store), raw access
 * to kanade's KV buckets (`GET|PUT|DELETE /api/jetstream/kv/{bucket}/{key}`; writes are admin-only in
 * the policy table) and object store listings (`GET /api/jetstream/objects/{store}`).
 */
import type { FastifyInstance } from "fastify";
import { Kvm, type KV } from "@nats-io/kv";
import { z } from "zod";
import {
  KanadeError,
  kvPutRequestSchema,
  type BucketName,
  type JetStreamStatus,
  type KvDeleteResponse,
  type KvEntryView,
  type KvPutResponse,
  type ListResponse,
  type StoredObject,
} from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { jetstreamUsage } from "../jetstream-status.js";
import { live } from "../jobs/catalog.js";
import { checkKvKey, checkKvValue, requireBucket, requireObjectStore } from "../kv-values.js";
import { requireNats } from "../nats.js";
import { listLive, openObjectStore, toStoredObject } from "../objects/streaming.js";
import { callerOf } from "./caller.js";

const kvParams = z.object({ bucket: z.string(), key: z.string() });
const storeParams = z.object({ store: z.string() });

export function jetstreamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/api/jetstream/status", async (): Promise<JetStreamStatus> => {
    requireNats(deps.nats);
    return { items: await jetstreamUsage(deps.nats) };
  });

  /** Validates the path, then opens the (existing) bucket. */
  const openKv = async (params: unknown): Promise<{ kv: KV; bucket: BucketName; key: string }> => {
    const p = parseOr400(kvParams, params, "KV path");
    const bucket = requireBucket(p.bucket);
    checkKvKey(p.key);
    requireNats(deps.nats);
    return { kv: await new Kvm(deps.nats.js).open(bucket), bucket, key: p.key };
  };
  const notFound = (bucket: string, key: string): KanadeError => new KanadeError("NOT_FOUND", `No key "${key}" in KV bucket ${bucket}`);

  app.get("/api/jetstream/kv/:bucket/:key", async (req): Promise<KvEntryView> => {
    const { kv, bucket, key } = await openKv(req.params);
    const e = live(await kv.get(key));
    if (!e) throw notFound(bucket, key);
    return { bucket, key, value: e.string(), revision: e.revision, created: e.created.toISOString() };
  });

  app.put("/api/jetstream/kv/:bucket/:key", async (req): Promise<KvPutResponse> => {
    const { kv, bucket, key } = await openKv(req.params);
    const { value } = parseOr400(kvPutRequestSchema, req.body, "KV write (expected {\"value\": \"…\"})");
    checkKvValue(bucket, key, value);
    const about = { bucket, key, bytes: Buffer.byteLength(value) };
    const revision = await deps.auditLog.around(
      callerOf(req),
      { action: "jetstream.kv.put", target: `${bucket}/${key}`, payload: about },
      () => kv.put(key, value),
      (rev) => ({ payload: { ...about, revision: rev } }),
    );
    req.log.info({ bucket, key, revision }, "kv entry written");
    return { bucket, key, revision };
  });

  app.delete("/api/jetstream/kv/:bucket/:key", async (req): Promise<KvDeleteResponse> => {
    const { kv, bucket, key } = await openKv(req.params);
    const e = live(await kv.get(key));
    if (!e) throw notFound(bucket, key);
    await deps.auditLog.around(
      callerOf(req),
      { action: "jetstream.kv.delete", target: `${bucket}/${key}`, payload: { bucket, key, revision: e.revision } },
      () => kv.delete(key),
    );
    req.log.info({ bucket, key, revision: e.revision }, "kv entry deleted");
    return { bucket, key, deleted: true };
  });

  app.get("/api/jetstream/objects/:store", async (req): Promise<ListResponse<StoredObject>> => {
    const store = requireObjectStore(parseOr400(storeParams, req.params, "object store").store);
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    return { items: (await listLive(os)).map(toStoredObject), next_cursor: null };
  });
}
