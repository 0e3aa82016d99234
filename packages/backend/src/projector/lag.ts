/** How far each projector is behind its stream: messages not yet projected into the database (consumer pending + unacked). */
import { STREAMS } from "@kanade/protocol";
import type { Nats } from "../nats.js";
import { AUDIT_DURABLE } from "./audit.js";
import { INVENTORY_DURABLE } from "./inventory.js";
import { RESULTS_DURABLE } from "./results.js";
import { STARTED_DURABLE } from "./started.js";

export const PROJECTORS = [
  { projector: "results", stream: STREAMS.RESULTS, durable: RESULTS_DURABLE },
  { projector: "started", stream: STREAMS.EVENTS, durable: STARTED_DURABLE },
  { projector: "inventory", stream: STREAMS.INVENTORY, durable: INVENTORY_DURABLE },
  { projector: "audit", stream: STREAMS.AUDIT, durable: AUDIT_DURABLE },
] as const;

export interface ProjectorLag {
  projector: string;
  /** Messages waiting; null when the consumer could not be read (broker away, consumer missing). */
  pending: number | null;
}

/** One entry per projector; never throws (an unreadable consumer is reported with `pending: null`). */
export async function projectorLag(nats: Nats): Promise<ProjectorLag[]> {
  return Promise.all(
    PROJECTORS.map(async (p) => {
      try {
        const info = await nats.jsm.consumers.info(p.stream, p.durable);
        return { projector: p.projector, pending: info.num_pending + info.num_ack_pending };
      } catch {
        // The caller reports null as "cannot tell"; the reason (broker away) shows in the broker check.
        return { projector: p.projector, pending: null };
      }
    }),
  );
}
