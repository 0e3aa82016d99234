/**
 * The whole stdout/stderr of a result from the `result_output` object store: inlined into the JSON of
 * `GET /api/results/{id}?full=1` up to a limit, and streamed raw by `GET /api/results/{id}/output/{stream}`.
 */
import { Readable } from "node:stream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { KanadeError, OBJECT_STORES, resultOutputChunkOwner, type ResultRecord } from "@kanade/protocol";
import type { Nats } from "./nats.js";
import { requireNats } from "./nats.js";

/** Past this, `?full=1` refuses instead of holding the text (and its JSON copy) in memory. */
export const FULL_JSON_LIMIT_BYTES = 64 * 1024 * 1024;

export type OutputStream = "stdout" | "stderr";

async function outputStore(nats: Nats): Promise<ObjectStore> {
  requireNats(nats);
  return new Objm(nats.js).open(OBJECT_STORES.resultOutput);
}

export async function withFullOutput(nats: Nats, r: ResultRecord, limitBytes = FULL_JSON_LIMIT_BYTES): Promise<ResultRecord> {
  if (r.stdout_object === null && r.stderr_object === null) return r;
  const store = await outputStore(nats);
  const out = { ...r };
  if (r.stdout_object !== null) out.stdout = await readText(store, r, "stdout", r.stdout_object, limitBytes);
  if (r.stderr_object !== null) out.stderr = await readText(store, r, "stderr", r.stderr_object, limitBytes);
  return out;
}

/** The raw bytes of one stream, for piping into an HTTP response; undefined when the result kept it inline. */
export async function openOutput(nats: Nats, r: ResultRecord, stream: OutputStream): Promise<{ size: number; body: Readable } | undefined> {
  const key = stream === "stdout" ? r.stdout_object : r.stderr_object;
  if (key === null) return undefined;
  const store = await outputStore(nats);
  const info = await store.info(key);
  if (!info) throw gone(key);
  // Checked before the read starts, and again on the record the read used.
  if (!writtenBy(info, r)) throw notItsOwn(r, key);
  const obj = await store.get(key);
  if (!obj) throw gone(key);
  if (!writtenBy(obj.info, r)) {
    await obj.data.cancel().catch(() => undefined);
    throw notItsOwn(r, key);
  }
  return { size: obj.info.size, body: Readable.fromWeb(obj.data as import("node:stream/web").ReadableStream<Uint8Array>) };
}

async function readText(store: ObjectStore, r: ResultRecord, stream: OutputStream, key: string, limitBytes: number): Promise<string> {
  const info = await store.info(key);
  if (!info) throw gone(key);
  if (!writtenBy(info, r)) throw notItsOwn(r, key);
  if (info.size > limitBytes) {
    throw new KanadeError(
      "OUTPUT_TOO_LARGE",
      `The full ${stream} of result ${r.result_id} is ${info.size} bytes, more than ${limitBytes} can be returned in JSON; ` +
        `stream it with GET /api/results/${r.result_id}/output/${stream}`,
    );
  }
  const obj = await store.get(key);
  if (!obj) throw gone(key);
  if (!writtenBy(obj.info, r)) throw notItsOwn(r, key);
  const chunks: Uint8Array[] = [];
  const reader = obj.data.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const failed = await obj.error;
  if (failed) throw failed;
  return new TextDecoder("utf-8").decode(Buffer.concat(chunks));
}

/**
 * An agent may write a metadata record under any name but chunks only under its own pc_id: the object a
 * result names counts only when its chunks are that result's PC's, so agent A cannot pass its text off
 * as B's output (nor B's as its own).
 */
const writtenBy = (info: { nuid: string }, r: ResultRecord): boolean => info.nuid.startsWith(resultOutputChunkOwner(r.pc_id));

const notItsOwn = (r: ResultRecord, key: string): KanadeError =>
  new KanadeError("RESULT_NOT_FOUND", `The full output "${key}" in ${OBJECT_STORES.resultOutput} was not written by ${r.pc_id}; it is not shown`);

const gone = (key: string): KanadeError =>
  new KanadeError("RESULT_NOT_FOUND", `The full output "${key}" is no longer in ${OBJECT_STORES.resultOutput}`);
