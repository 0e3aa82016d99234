/** EVENTS (`events.started.>`) → `started` table, so an execution shows which PCs are running now. */
import { STREAMS, startedEventSchema, subjects, type StartedEvent } from "@kanade/protocol";
import type { Logger } from "pino";
import type { ResultsStore } from "../results/store.js";
import type { Nats } from "../nats.js";
import { decodeOrTerm, startDurableProjector, type RunningProjector } from "./durable.js";

export const STARTED_DURABLE = "kanade-started";

export function startStartedProjector(deps: { nats: Nats; store: Pick<ResultsStore, "insertStarted">; log: Logger }): Promise<RunningProjector> {
  const log = deps.log.child({ projector: STARTED_DURABLE });
  return startDurableProjector(
    deps.nats,
    {
      stream: STREAMS.EVENTS,
      durable: STARTED_DURABLE,
      filterSubject: subjects.startedAll(),
      handle: async (batch) => {
        const events: StartedEvent[] = [];
        for (const m of batch) {
          const e = decodeOrTerm(m, (v) => startedEventSchema.safeParse(v), log);
          if (e) events.push(e);
        }
        await deps.store.insertStarted(events);
      },
    },
    deps.log,
  );
}
