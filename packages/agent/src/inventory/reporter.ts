/**
 * Publishes the built-in inventory to `inventory.<pc>.<category>` (stream INVENTORY) at start and then
 * every `inventory_interval` + a random 0..`inventory_jitter`. The settings are read through a getter
 * at every scheduling, so a layered-config watcher can change them on a running agent.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "pino";
import {
  CONFIG_DEFAULTS,
  INVENTORY_CATEGORIES,
  parseDurationMs,
  subjects,
  type InventoryCategory,
  type InventoryMessage,
} from "@kanade/protocol/wire";
import type { Collector } from "./collect.js";

export interface InventorySettings {
  inventory_interval: string;
  inventory_jitter: string;
  inventory_enabled: boolean;
}

export const defaultInventorySettings = (): InventorySettings => ({
  inventory_interval: CONFIG_DEFAULTS.inventory_interval,
  inventory_jitter: CONFIG_DEFAULTS.inventory_jitter,
  inventory_enabled: CONFIG_DEFAULTS.inventory_enabled,
});

/** After a failed publish (broker down), try again this soon rather than a whole interval later. */
const RETRY_MS = 5 * 60_000;
const PUBLISH_TIMEOUT_MS = 10_000;

/** Delay until the next collection: interval + random share of the jitter. Pure. */
export function nextInventoryDelayMs(s: InventorySettings, random: () => number): number {
  const interval = parseDurationMs(s.inventory_interval) ?? parseDurationMs(CONFIG_DEFAULTS.inventory_interval)!;
  const jitter = parseDurationMs(s.inventory_jitter) ?? 0;
  return Math.max(1_000, interval) + Math.floor(random() * jitter);
}

export interface InventoryReporterDeps {
  pcId: string;
  js: JetStreamClient;
  log: Logger;
  collect: Collector;
  settings?: () => InventorySettings;
  now?: () => Date;
  random?: () => number;
}

export class InventoryReporter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: InventoryReporterDeps) {}

  /** Collects now (in the background) and keeps the schedule going until stop(). */
  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Collects and publishes every category; resolves true when all were acknowledged. */
  async reportOnce(): Promise<boolean> {
    const results = await Promise.all(INVENTORY_CATEGORIES.map((c) => this.reportCategory(c)));
    return results.every(Boolean);
  }

  private settings(): InventorySettings {
    return (this.deps.settings ?? defaultInventorySettings)();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const s = this.settings();
    let ok = true;
    if (s.inventory_enabled) ok = await this.reportOnce();
    else this.deps.log.debug("inventory disabled by config; skipping collection");
    const delay = nextInventoryDelayMs(s, this.deps.random ?? Math.random);
    this.schedule(ok ? delay : Math.min(delay, RETRY_MS));
  }

  private async reportCategory(category: InventoryCategory): Promise<boolean> {
    const { pcId, log } = this.deps;
    let data: Record<string, unknown>;
    try {
      data = await this.deps.collect(category);
    } catch (err) {
      log.warn({ err, category }, "inventory collection failed");
      return false;
    }
    const collectedAt = (this.deps.now ?? (() => new Date()))().toISOString();
    const msg: InventoryMessage = { pc_id: pcId, category, collected_at: collectedAt, data };
    try {
      await this.deps.js.publish(subjects.inventory(pcId, category), JSON.stringify(msg), {
        msgID: `${pcId}.${category}.${collectedAt}`,
        timeout: PUBLISH_TIMEOUT_MS,
      });
      log.debug({ category }, "inventory published");
      return true;
    } catch (err) {
      log.warn({ err, category }, "inventory publish failed; will retry");
      return false;
    }
  }
}
