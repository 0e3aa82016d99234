/** Reads the whole stdout/stderr of a result from the `result_output` object store (`GET /api/results/{id}?full=1`). */
import { Objm, type ObjectStore } from "@nats-io/obj";
import { KanadeError, OBJECT_STORES, type ResultRecord } from "@kanade/protocol";
import type { Nats } from "./nats.js";
import { requireNats } from "./nats.js";

export async function withFullOutput(nats: Nats, r: ResultRecord): Promise<ResultRecord> {
  if (r.stdout_object === null && r.stderr_object === null) return r;
  requireNats(nats);
  const store = await new Objm(nats.js).open(OBJECT_STORES.resultOutput);
  const out = { ...r };
  if (r.stdout_object !== null) out.stdout = await readText(store, r.stdout_object);
  if (r.stderr_object !== null) out.stderr = await readText(store, r.stderr_object);
  return out;
}

async function readText(store: ObjectStore, key: string): Promise<string> {
  const obj = await store.get(key);
  if (!obj) throw new KanadeError("RESULT_NOT_FOUND", `The full output "${key}" is no longer in ${OBJECT_STORES.resultOutput}`);
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
