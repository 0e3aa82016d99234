/**
 * JetStream from the operator's side: usage vs limit of every stream, KV bucket and object store, raw
 * access to kanade's KV buckets (writes are admin-only in the route table) and object store listings.
 */
import type { FastifyInstance } from "fastify";
import { Kvm, type KV } from "@nats-io/kv";
import { KanadeError, type BucketName } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { jetstreamUsage } from "../jetstream-status.js";
import { live } from "../jobs/catalog.js";
import { checkKvKey, checkKvValue, requireBucket, requireObjectStore } from "../kv-values.js";
import { requireNats } from "../nats.js";
import { listLive, openObjectStore, toStoredObject } from "../objects/streaming.js";
import { serve } from "./route.js";

export function jetstreamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "getJetStreamStatus", async () => {
    requireNats(deps.nats);
    return { items: await jetstreamUsage(deps.nats) };
  });

  /** Checks the bucket and key, then opens the (existing) bucket. */
  const openKv = async (p: { bucket: string; key: string }): Promise<{ kv: KV; bucket: BucketName; key: string }> => {
    const bucket = requireBucket(p.bucket);
    checkKvKey(p.key);
    requireNats(deps.nats);
    return { kv: await new Kvm(deps.nats.js).open(bucket), bucket, key: p.key };
  };
  const notFound = (bucket: string, key: string): KanadeError => new KanadeError("NOT_FOUND", `No key "${key}" in KV bucket ${bucket}`);

  serve(app, "getKvEntry", async ({ params }) => {
    const { kv, bucket, key } = await openKv(params);
    const e = live(await kv.get(key));
    if (!e) throw notFound(bucket, key);
    return { bucket, key, value: e.string(), revision: e.revision, created: e.created.toISOString() };
  });

  serve(app, "putKvEntry", async ({ params, body }, ctx) => {
    const { kv, bucket, key } = await openKv(params);
    checkKvValue(bucket, key, body.value);
    const about = { bucket, key, bytes: Buffer.byteLength(body.value) };
    const revision = await deps.auditLog.around(
      ctx.caller,
      { action: "jetstream.kv.put", target: `${bucket}/${key}`, payload: about },
      () => kv.put(key, body.value),
      (rev) => ({ payload: { ...about, revision: rev } }),
    );
    ctx.req.log.info({ bucket, key, revision }, "kv entry written");
    return { bucket, key, revision };
  });

  serve(app, "deleteKvEntry", async ({ params }, ctx) => {
    const { kv, bucket, key } = await openKv(params);
    const e = live(await kv.get(key));
    if (!e) throw notFound(bucket, key);
    await deps.auditLog.around(
      ctx.caller,
      { action: "jetstream.kv.delete", target: `${bucket}/${key}`, payload: { bucket, key, revision: e.revision } },
      () => kv.delete(key),
    );
    ctx.req.log.info({ bucket, key, revision: e.revision }, "kv entry deleted");
    return { bucket, key, deleted: true as const };
  });

  serve(app, "listStoreObjects", async ({ params }) => {
    const store = requireObjectStore(params.store);
    requireNats(deps.nats);
    const os = await openObjectStore(deps.nats, store);
    return { items: (await listLive(os)).map(toStoredObject), next_cursor: null };
  });
}
