/**
 * Writes one object into the `result_output` store without reading anything from it. The object store
 * client looks an object up (a stream read) before it writes, and a read right there lets an agent fetch
 * every PC's output; so the agent writes the store's format itself: chunks on
 * `$O.result_output.C.<pc_id>.<nuid>` (the broker lets an agent publish only under its own pc_id), then
 * the metadata record that names them. The backend reads it with the ordinary client and checks that the
 * chunks are under the pc_id of the result that names the object.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { headers, nuid } from "@nats-io/transport-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import { OBJECT_STORES, resultOutputChunkSubject, resultOutputMetaSubject } from "@kanade/protocol/wire";

/** The object store client's default chunk size. */
export const CHUNK_BYTES = 128 * 1024;

/** The metadata record, as the object store client writes and reads it. */
export interface ObjectMeta {
  name: string;
  description: string;
  bucket: string;
  nuid: string;
  size: number;
  chunks: number;
  mtime: string;
  digest: string;
  deleted: false;
  options: { max_chunk_size: number };
}

/** The store does not exist on this broker (JetStream answered nobody): the caller keeps the head only. */
export class NoOutputStore extends Error {}

/** Nobody answered the publish: the client reports it as JetStream not enabled (its class is internal). */
const noStream = (err: unknown): boolean => err instanceof Error && err.name === "JetStreamNotEnabled";

/** Cuts a byte stream into chunks of exactly `size` bytes (the last one shorter). Pure, for tests. */
export function* chunksOf(pending: Buffer[], size: number, final: boolean): Generator<Buffer> {
  let buf = Buffer.concat(pending);
  pending.length = 0;
  while (buf.length >= size && (buf.length > size || final)) {
    yield buf.subarray(0, size);
    buf = buf.subarray(size);
  }
  if (final) {
    if (buf.length > 0) yield buf;
  } else if (buf.length > 0) pending.push(buf);
}

/** The metadata record for an object once its chunks are stored. Pure, for tests. */
export function objectMeta(o: { name: string; id: string; size: number; chunks: number; sha256: Buffer; chunkBytes: number; now: Date }): ObjectMeta {
  return {
    name: o.name,
    description: "",
    bucket: OBJECT_STORES.resultOutput,
    nuid: o.id,
    size: o.size,
    chunks: o.chunks,
    mtime: o.now.toISOString(),
    // The client's own digest spelling: base64url with its padding kept.
    digest: `SHA-256=${o.sha256.toString("base64").replace(/\+/g, "-").replace(/\//g, "_")}`,
    deleted: false,
    options: { max_chunk_size: o.chunkBytes },
  };
}

/** The chunk id of an object this PC writes: its pc_id, then a fresh nuid (two subject tokens). */
export const ownChunkId = (pcId: string): string => `${pcId}.${nuid.next()}`;

/**
 * Stores `source` as object `name` for `pcId`. Throws NoOutputStore when no stream takes the chunks;
 * any other broker error is thrown as is (the outbox retries). A half-written object leaves chunks no
 * metadata names; the store's max age removes them (an agent may not purge).
 */
export async function putOwnObject(
  js: JetStreamClient,
  o: { pcId: string; name: string; source: Readable; maxPayload: number | undefined; now?: () => Date },
): Promise<ObjectMeta> {
  const chunkBytes = Math.min(CHUNK_BYTES, o.maxPayload ?? CHUNK_BYTES);
  const id = ownChunkId(o.pcId);
  const subject = resultOutputChunkSubject(id);
  const sha = createHash("sha256");
  let size = 0;
  let chunks = 0;
  const send = async (chunk: Buffer): Promise<void> => {
    sha.update(chunk);
    size += chunk.length;
    chunks++;
    try {
      await js.publish(subject, chunk);
    } catch (err) {
      if (noStream(err)) throw new NoOutputStore(`no ${OBJECT_STORES.resultOutput} store answers on this broker`, { cause: err });
      throw err;
    }
  };
  const pending: Buffer[] = [];
  for await (const data of o.source) {
    pending.push(Buffer.isBuffer(data) ? data : Buffer.from(data as string));
    for (const chunk of chunksOf(pending, chunkBytes, false)) await send(chunk);
  }
  for (const chunk of chunksOf(pending, chunkBytes, true)) await send(chunk);
  const meta = objectMeta({ name: o.name, id, size, chunks, sha256: sha.digest(), chunkBytes, now: (o.now ?? (() => new Date()))() });
  const h = headers();
  // The newest record of a name replaces the older ones, as the client's own put does.
  h.set("Nats-Rollup", "sub");
  try {
    await js.publish(resultOutputMetaSubject(o.name), JSON.stringify(meta), { headers: h });
  } catch (err) {
    if (noStream(err)) throw new NoOutputStore(`no ${OBJECT_STORES.resultOutput} store answers on this broker`, { cause: err });
    throw err;
  }
  return meta;
}
