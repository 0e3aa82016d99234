/**
 * The built-in inventory as one JSON document: what `kanade-agent inventory` prints, and what the agent
 * reads back from that command when it collects in a child process (see collectors.ts).
 */
import { z } from "zod";
import { inventoryCategorySchema, type InventoryCategory } from "@kanade/protocol/wire";

export const inventorySnapshotSchema = z.object({
  data: z.partialRecord(inventoryCategorySchema, z.record(z.string(), z.unknown())),
  /** Why a category could not be collected. */
  errors: z.partialRecord(inventoryCategorySchema, z.string()),
});
export type InventorySnapshot = z.infer<typeof inventorySnapshotSchema>;

/** Collects each category with this process's collectors (loaded now: they pull in systeminformation). */
export async function collectSnapshot(categories: readonly InventoryCategory[]): Promise<InventorySnapshot> {
  const { collectInventory } = await import("./collect.js");
  const snapshot: InventorySnapshot = { data: {}, errors: {} };
  await Promise.all(
    categories.map(async (c) => {
      try {
        snapshot.data[c] = await collectInventory(c);
      } catch (err) {
        snapshot.errors[c] = err instanceof Error ? err.message : String(err);
      }
    }),
  );
  return snapshot;
}
