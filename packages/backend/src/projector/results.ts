/** RESULTS → `results` table. Idempotent on result_id, so replaying the stream rebuilds the table. */
import { STREAMS, execResultSchema, parseExecPcSubject, subjects, type ExecResult } from "@kanade/protocol";
import type { Logger } from "pino";
import type { ResultsStore } from "../results/store.js";
import type { Nats } from "../nats.js";
import { decodeOrTerm, startDurableProjector, type RunningProjector } from "./durable.js";

export const RESULTS_DURABLE = "kanade-results";
/** A fleet-wide fan-out lands 1,000 results per transaction (each commit is a WAL flush), 2,000 pulled ahead. */
export const RESULTS_BATCH_MAX = 1_000;

export async function startResultsProjector(deps: {
  nats: Nats;
  store: Pick<ResultsStore, "insertResults" | "warmUp" | "insertsInBackground">;
  log: Logger;
  /** May rewrite results in place before they are stored (inventory jobs whose stdout does not parse). */
  beforeInsert?: (results: ExecResult[]) => Promise<void>;
  /** Told after each batch is committed (requests waiting for an execution's end look again). */
  afterInsert?: (results: readonly ExecResult[]) => void;
}): Promise<RunningProjector> {
  const log = deps.log.child({ projector: RESULTS_DURABLE });
  await deps.store.warmUp().catch((err: unknown) => log.warn({ err }, "results store not warmed up; the first batch will take longer"));
  return startDurableProjector(
    deps.nats,
    {
      stream: STREAMS.RESULTS,
      durable: RESULTS_DURABLE,
      filterSubject: subjects.resultsAll(),
      batchMax: RESULTS_BATCH_MAX,
      // On PostgreSQL the insert runs in the background: the next batch is decoded while this one is stored.
      // SQLite inserts in process, so a second batch in flight would only wait.
      inFlight: deps.store.insertsInBackground ? 2 : 1,
      handle: async (batch) => {
        const results: ExecResult[] = [];
        for (const m of batch) {
          const r = decodeOrTerm(m, (v) => execResultSchema.safeParse(v), log);
          if (!r) continue;
          const ids = parseExecPcSubject(m.subject);
          if (ids && (ids.execId !== r.exec_id || ids.pcId !== r.pc_id)) {
            // Stored anyway (the payload is authoritative), but worth an operator's attention.
            log.warn({ subject: m.subject, exec_id: r.exec_id, pc_id: r.pc_id }, "result subject does not match its payload");
          }
          results.push(r);
        }
        await deps.beforeInsert?.(results);
        const inserted = await deps.store.insertResults(results);
        deps.afterInsert?.(results);
        log.debug({ received: batch.length, inserted }, "results projected");
      },
    },
    deps.log,
  );
}
