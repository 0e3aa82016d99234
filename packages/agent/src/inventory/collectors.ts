/**
 * Where the built-in inventory is collected. The agent runs `kanade-agent inventory` as a short-lived
 * child once per round, so `systeminformation` and the memory a collection leaves behind never stay in
 * the long-running process (an idle agent's footprint). Embedders and tests without a command to
 * start collect in-process, loading the collectors on first use.
 */
import { execFile } from "node:child_process";
import { INVENTORY_CATEGORIES } from "@kanade/protocol/wire";
import type { Argv } from "../platform/types.js";
import { safeJson } from "../safe-json.js";
import type { Collector } from "./collect.js";
import { inventorySnapshotSchema, type InventorySnapshot } from "./snapshot.js";

/** A collection (dpkg, WMI) that takes longer than this is given up for the round. */
const CHILD_TIMEOUT_MS = 5 * 60_000;
/** Installed-software lists reach a few MB on a busy PC. */
const CHILD_MAX_OUTPUT = 64 * 1024 * 1024;

/** In this process, with the collectors imported on the first call. */
export const inProcessCollector: Collector = async (category) => (await import("./collect.js")).collectInventory(category);

function runInventoryCommand(self: Argv, timeoutMs: number): Promise<InventorySnapshot> {
  return new Promise((resolve, reject) => {
    execFile(
      self.file,
      [...self.args, "inventory", ...INVENTORY_CATEGORIES],
      { timeout: timeoutMs, maxBuffer: CHILD_MAX_OUTPUT, windowsHide: true, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`kanade-agent inventory failed: ${err.message}${stderr ? `: ${stderr.trim().slice(-500)}` : ""}`, { cause: err }));
        const parsed = inventorySnapshotSchema.safeParse(safeJson(Buffer.from(stdout)));
        if (!parsed.success) return reject(new Error(`kanade-agent inventory printed no inventory: ${parsed.error.message}`));
        resolve(parsed.data);
      },
    );
  });
}

/**
 * Collects through `<self> inventory` in a child. Calls made together (the reporter asks for every
 * category at once) share one child; the next round starts another.
 */
export function childProcessCollector(self: Argv, timeoutMs: number = CHILD_TIMEOUT_MS): Collector {
  let round: Promise<InventorySnapshot> | undefined;
  return async (category) => {
    const current = (round ??= runInventoryCommand(self, timeoutMs).finally(() => (round = undefined)));
    const snapshot = await current;
    const data = snapshot.data[category];
    if (data) return data;
    throw new Error(snapshot.errors[category] ?? `kanade-agent inventory returned no ${category} category`);
  };
}
