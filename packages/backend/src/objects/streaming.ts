/**
 * Streams objects in and out of JetStream object stores with backpressure, so a 1 GB package passes
 * through the backend in about a few MiB of memory: uploads publish one chunk at a time (each awaits
 * its PubAck); downloads pull a few chunks ahead of the HTTP socket, never the whole object.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { Objm, setSha256Backend, type ObjectInfo, type ObjectStore } from "@nats-io/obj";
import { KanadeError, type ObjectStoreName, type StoredObject } from "@kanade/protocol";
import type { Nats } from "../nats.js";
import { digestToHex } from "../jobs/catalog.js";

/** Chunks stay at or under the server's max_payload (1 MiB by default). */
const MAX_CHUNK = 1024 * 1024;
/** How many chunks a download may hold ahead of the client. */
const READ_AHEAD = 4;

export async function openObjectStore(nats: Nats, store: ObjectStoreName): Promise<ObjectStore> {
  // Node's own SHA-256 instead of the browser-safe JS one: hashing a 1 GB upload is much faster.
  setSha256Backend("native");
  return new Objm(nats.js).open(store);
}

/** Writes `body` under `key`; an aborted or failed upload leaves the previous object (if any) in place. */
export async function putStream(
  os: ObjectStore,
  key: string,
  body: Readable,
  metadata: Record<string, string>,
): Promise<ObjectInfo> {
  return os.put({ name: key, metadata, options: { max_chunk_size: MAX_CHUNK } }, pullStream(body));
}

/**
 * A web stream that reads the Node stream only when the consumer asks. (`Readable.toWeb` in Node 20
 * counts queued *chunks* against the byte high-water mark, so it would buffer a whole upload.)
 */
export function pullStream(body: Readable): ReadableStream<Uint8Array> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** The live object under `key`, or OBJECT_NOT_FOUND naming it. */
export async function requireInfo(os: ObjectStore, store: string, key: string): Promise<ObjectInfo> {
  const info = await os.info(key);
  if (!info || info.deleted) throw new KanadeError("OBJECT_NOT_FOUND", `No object "${key}" in ${store}`);
  if (info.options?.link) throw new KanadeError("OBJECT_NOT_FOUND", `"${key}" in ${store} is a link, not an object`);
  return info;
}

/**
 * The object's bytes as a Node stream that reads from JetStream only as fast as it is consumed, and
 * fails (instead of ending cleanly) when the bytes do not hash to the stored digest.
 */
export function readStream(nats: Nats, store: string, info: ObjectInfo): Readable {
  const expected = digestToHex(info.digest);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (info.size === 0) return;
    const consumer = await nats.js.consumers.get(`OBJ_${store}`, { filter_subjects: `$O.${store}.C.${info.nuid}` });
    const messages = await consumer.consume({ max_messages: READ_AHEAD });
    const sha = createHash("sha256");
    let received = 0;
    try {
      for await (const m of messages) {
        sha.update(m.data);
        received++;
        yield m.data;
        if (received >= info.chunks || m.info.pending === 0) break;
      }
    } finally {
      messages.stop();
    }
    const actual = sha.digest("hex");
    if (actual !== expected) throw new Error(`object ${info.name} is corrupt: sha256 ${actual}, expected ${expected ?? info.digest}`);
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: MAX_CHUNK });
}

export function toStoredObject(info: ObjectInfo): StoredObject {
  const slash = info.name.indexOf("/");
  return {
    key: info.name,
    name: slash < 0 ? info.name : info.name.slice(0, slash),
    version: slash < 0 ? "" : info.name.slice(slash + 1),
    size: info.size,
    digest: info.digest,
    sha256: digestToHex(info.digest) ?? "",
    mtime: info.mtime,
  };
}

/** Live objects, newest first. */
export async function listLive(os: ObjectStore): Promise<ObjectInfo[]> {
  const all = await os.list();
  return all.filter((i) => !i.deleted && !i.options?.link).sort((a, b) => b.mtime.localeCompare(a.mtime) || a.name.localeCompare(b.name));
}
