/**
 * Full stdout/stderr beyond the inline cap: the run spools it to `<outbox>/output/<result_id>/`, and the
 * outbox uploads it to `result_output/<result_id>/stdout|stderr` before publishing the result that names it.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient } from "@nats-io/jetstream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { Logger } from "pino";
import { OBJECT_STORES, resultOutputKey, type ExecResult } from "@kanade/protocol";

const STREAMS_OF_OUTPUT = ["stdout", "stderr"] as const;

export class OutputUploader {
  private store: ObjectStore | undefined;

  constructor(private readonly deps: { outboxDir: string; js: JetStreamClient; log: Logger }) {}

  /** The folder a run with this result_id spools into. */
  dirFor(resultId: string): string {
    return join(this.deps.outboxDir, "output", resultId);
  }

  /**
   * Uploads the spooled streams of a truncated result and returns the result naming them. Throws when the
   * broker fails (the outbox retries); a missing `result_output` store is logged and the head alone is sent.
   */
  async attach(result: ExecResult): Promise<ExecResult> {
    const dir = this.dirFor(result.result_id);
    if (!existsSync(dir)) return result;
    const out: ExecResult = { ...result };
    for (const name of STREAMS_OF_OUTPUT) {
      const file = join(dir, name);
      if (!result[`${name}_truncated`] || !existsSync(file)) continue;
      const store = await this.open();
      if (!store) {
        this.deps.log.error({ exec_id: result.exec_id, result_id: result.result_id }, "result_output store missing; only the first 256 KiB of output is kept");
        return result;
      }
      const key = resultOutputKey(result.result_id, name);
      // Whole-file read: spooled output is bounded by what a script writes before its timeout.
      await store.putBlob({ name: key }, readFileSync(file));
      out[`${name}_object`] = key;
      this.deps.log.info({ exec_id: result.exec_id, result_id: result.result_id, object: key }, "full output uploaded");
    }
    return out;
  }

  /** After the PubAck: the spooled copy is no longer needed. */
  discard(resultId: string): void {
    rmSync(this.dirFor(resultId), { recursive: true, force: true });
  }

  private async open(): Promise<ObjectStore | undefined> {
    if (this.store) return this.store;
    try {
      this.store = await new Objm(this.deps.js).open(OBJECT_STORES.resultOutput);
      return this.store;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
      if (/not found/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }
}
