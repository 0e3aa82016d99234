/**
 * The built-in inventory as one JSON document: what `kanade-agent inventory` prints, and what the agent
 * reads back from that command when it collects in a child process (see collectors.ts).
 */
import * as z from "zod";
import { inventoryCategorySchema, type InventoryCategory } from "@kanade/protocol/wire";

export const inventorySnapshotSchema = z.object({
  data: z.partialRecord(inventoryCategorySchema, z.record(z.string(), z.unknown())),
  /** Why a category could not be collected. */
  errors: z.partialRecord(inventoryCategorySchema, z.string()),
});
export type InventorySnapshot = z.infer<typeof inventorySnapshotSchema>;

/**
 * Collects each category with this process's collectors (loaded now: they pull in systeminformation).
 * On Windows, systeminformation is switched to one persistent PowerShell for the whole round instead of
 * one powershell.exe per query (about a dozen per round otherwise).
 */
export async function collectSnapshot(categories: readonly InventoryCategory[], platform: NodeJS.Platform = process.platform): Promise<InventorySnapshot> {
  const { collectInventory, onePowerShell } = await import("./collect.js");
  const snapshot: InventorySnapshot = { data: {}, errors: {} };
  const release = platform === "win32" ? onePowerShell() : () => undefined;
  try {
    await collectAll(categories, collectInventory, snapshot);
  } finally {
    release();
  }
  return snapshot;
}

async function collectAll(
  categories: readonly InventoryCategory[],
  collectInventory: (c: InventoryCategory) => Promise<Record<string, unknown>>,
  snapshot: InventorySnapshot,
): Promise<void> {
  await Promise.all(
    categories.map(async (c) => {
      try {
        snapshot.data[c] = await collectInventory(c);
      } catch (err) {
        snapshot.errors[c] = err instanceof Error ? err.message : String(err);
      }
    }),
  );
}
