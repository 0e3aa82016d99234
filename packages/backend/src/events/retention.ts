/** Deletes events older than the retention (`events_retention_days`, default 30) in bounded batches, hourly. */
import type { Logger } from "pino";
import type { EventsStore } from "./store.js";

export const DEFAULT_EVENTS_RETENTION_DAYS = 30;
const PRUNE_EVERY_MS = 3_600_000;
/** Rows deleted per statement: a long delete would hold the write lock the projectors need. */
export const PRUNE_BATCH = 2_000;

/** Prunes until nothing older is left, yielding between batches; returns how many rows went. */
export async function pruneEvents(store: Pick<EventsStore, "pruneBefore">, before: Date, batch = PRUNE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await store.pruneBefore(before.toISOString(), batch);
    total += n;
    if (n < batch) return total;
    await new Promise((r) => setImmediate(r));
  }
}

export function startEventsRetention(deps: { store: Pick<EventsStore, "pruneBefore">; retentionDays: number; clock: () => Date; log: Logger }): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const run = (): void => {
    running ??= pruneEvents(deps.store, new Date(deps.clock().getTime() - deps.retentionDays * 86_400_000))
      .then((n) => {
        if (n > 0) deps.log.info({ deleted: n, retention_days: deps.retentionDays }, "old events pruned");
      })
      .catch((err: unknown) => deps.log.error({ err }, "cannot prune old events"))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  run();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
