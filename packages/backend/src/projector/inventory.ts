/** INVENTORY → `inventory` + `installed_apps`. Keeps the newest snapshot per (pc, category); replay rebuilds it. */
import { STREAMS, inventoryMessageSchema, subjects, type InventoryMessage } from "@kanade/protocol";
import type { Logger } from "pino";
import type { FleetStore } from "../db/fleet-store.js";
import type { Nats } from "../nats.js";
import { decodeOrTerm, startDurableProjector, type RunningProjector } from "./durable.js";

export const INVENTORY_DURABLE = "kanade-inventory";

export function startInventoryProjector(deps: {
  nats: Nats;
  fleet: FleetStore;
  log: Logger;
  /** After a batch is stored, with the PCs it was about (dynamic groups re-evaluate them). */
  onProjected?: (pcIds: readonly string[]) => void;
}): Promise<RunningProjector> {
  const log = deps.log.child({ projector: INVENTORY_DURABLE });
  return startDurableProjector(
    deps.nats,
    {
      stream: STREAMS.INVENTORY,
      durable: INVENTORY_DURABLE,
      filterSubject: subjects.inventoryAll(),
      handle: async (batch) => {
        const messages: InventoryMessage[] = [];
        for (const m of batch) {
          const msg = decodeOrTerm(m, (v) => inventoryMessageSchema.safeParse(v), log);
          if (!msg) continue;
          if (m.subject !== subjects.inventory(msg.pc_id, msg.category)) {
            log.warn({ subject: m.subject, pc_id: msg.pc_id, category: msg.category }, "dropping inventory whose payload does not match its subject");
            continue;
          }
          messages.push(msg);
        }
        const replaced = await deps.fleet.upsertInventory(messages);
        log.debug({ received: batch.length, replaced }, "inventory projected");
        deps.onProjected?.([...new Set(messages.map((m) => m.pc_id))]);
      },
    },
    deps.log,
  );
}
