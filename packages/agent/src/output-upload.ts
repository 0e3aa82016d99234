/**
 * Full stdout/stderr beyond the inline cap: the run spools it to `<outbox>/output/<result_id>/`, and the
 * outbox uploads it to `result_output/<result_id>/stdout|stderr` before publishing the result that names it.
 * The agent only writes there (its chunks under its own pc_id) and never reads the store: see own-object-writer.
 */
import { createReadStream, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { JetStreamApiError, type JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { resultOutputKey, type ExecResult } from "@kanade/protocol/wire";
import { NoOutputStore, putOwnObject } from "./own-object-writer.js";
import { OUTPUT_STREAMS, type OutputStream } from "./result-fit.js";

export class OutputUploader {
  constructor(private readonly deps: { outboxDir: string; js: JetStreamClient; log: Logger; maxPayload?: () => number | undefined }) {}

  /** The folder a run with this result_id spools into. */
  dirFor(resultId: string): string {
    return join(this.deps.outboxDir, "output", resultId);
  }

  /**
   * Uploads the spooled streams of a truncated result and returns the result naming them. Throws when the
   * broker fails (the outbox retries); a missing `result_output` store or an upload that can never work
   * is logged and the head alone is sent.
   */
  async attach(result: ExecResult): Promise<ExecResult> {
    const dir = this.dirFor(result.result_id);
    if (!existsSync(dir)) return result;
    const out: ExecResult = { ...result };
    for (const name of OUTPUT_STREAMS) {
      const file = join(dir, name);
      if (!result[`${name}_truncated`] || !existsSync(file)) continue;
      // Streamed: a spool may be hundreds of MiB, more than is sensible (or, past 2 GiB, possible) to read whole.
      const uploaded = await this.upload(result, name, () => createReadStream(file));
      if (uploaded === "no-store") return result;
      if (uploaded) out[`${name}_object`] = uploaded;
    }
    return out;
  }

  /**
   * For streams the outbox had to cut to fit max_payload although the run kept them whole: the inline
   * text before the cut becomes the full copy, as a long stream's spool would.
   */
  async keepWhole(before: ExecResult, trimmed: readonly OutputStream[], after: ExecResult): Promise<ExecResult> {
    const out: ExecResult = { ...after };
    for (const name of trimmed) {
      if (before[`${name}_truncated`] || before[`${name}_object`] !== undefined) continue;
      const text = before[name];
      const uploaded = await this.upload(before, name, () => Readable.from([Buffer.from(text, "utf8")]));
      if (uploaded === "no-store") return after;
      if (uploaded) out[`${name}_object`] = uploaded;
    }
    return out;
  }

  /**
   * The object key once stored; undefined when it can never be (the server refused it, or the spool
   * could not be read), so the result goes out with its head rather than blocking the outbox.
   */
  private async upload(result: ExecResult, name: OutputStream, body: () => Readable): Promise<string | "no-store" | undefined> {
    const ids = { exec_id: result.exec_id, job_id: result.job_id, result_id: result.result_id, stream: name };
    const key = resultOutputKey(result.result_id, name);
    let readError: Error | undefined;
    try {
      const source = body();
      // Tells a local read failure (a broken spool: permanent) from the broker's (retried).
      source.once("error", (err) => (readError = err));
      await putOwnObject(this.deps.js, { pcId: result.pc_id, name: key, source, maxPayload: this.deps.maxPayload?.() });
    } catch (err) {
      if (err instanceof NoOutputStore) {
        this.deps.log.error(ids, "result_output store missing; only the inline head of the output is kept");
        return "no-store";
      }
      // A JetStream API error is the server's answer (store full, object too large): retrying won't change it.
      if (readError === undefined && !(err instanceof JetStreamApiError)) throw err;
      this.deps.log.error({ ...ids, err: readError ?? err, object: key }, "full output could not be uploaded; only the inline head is kept");
      return undefined;
    }
    this.deps.log.info({ ...ids, object: key }, "full output uploaded");
    return key;
  }

  /** After the PubAck: the spooled copy is no longer needed. */
  discard(resultId: string): void {
    rmSync(this.dirFor(resultId), { recursive: true, force: true });
  }
}
