/** Agent-side schedules wired together: the standing orders and the freeze followed from the broker, the firing loop. */
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { BUCKETS, type AgentEvent, FREEZE_KEY, type Command, type CommandKey } from "@kanade/protocol/wire";
import { BucketWatcher } from "../kv-watch.js";
import { Ticker } from "../ticker.js";
import { Deferrals } from "./deferrals.js";
import { FiredOccurrences } from "./fired-occurrences.js";
import { LastSeenFreeze } from "./freeze-seen.js";
import { Maintenance } from "./maintenance.js";
import { AgentScheduler } from "./scheduler.js";
import { StandingOrders } from "./standing-orders.js";

export const DEFAULT_SCHEDULE_TICK_MS = 15_000;

export interface AgentSchedulesDeps {
  nc: NatsConnection;
  pcId: string;
  dataDir: string;
  keys(): readonly CommandKey[];
  groups(): readonly string[];
  run(cmd: Command, origin: string): void;
  /** See AgentSchedulerDeps.accepting. */
  accepting(): boolean;
  /** A timeline event (a deferral) to ship through the outbox. */
  report(event: AgentEvent): void;
  log: Logger;
  tickMs?: number;
  now?: () => number;
}

export interface AgentSchedules {
  /** KLP maintenance.list|defer. */
  maintenance: Maintenance;
  start(): void;
  stop(): void;
}

export function agentSchedules(deps: AgentSchedulesDeps): AgentSchedules {
  const { nc, log } = deps;
  const state = (file: string): string => join(deps.dataDir, "state", file);
  const orders = new StandingOrders(state("schedule-orders.json"), deps.keys, log);
  const freeze = new LastSeenFreeze(state("freeze.json"), log);
  const fired = new FiredOccurrences(state("schedule-fired.json"), log);
  const deferrals = new Deferrals(state("maintenance-deferrals.json"), log);
  const now = deps.now ?? Date.now;
  const maintenance = new Maintenance({ pcId: deps.pcId, orders: () => orders.all(), groups: deps.groups, fired, deferrals, report: deps.report, now });
  const scheduler = new AgentScheduler({
    pcId: deps.pcId,
    orders: () => orders.all(),
    held: (nowMs) => freeze.held(nowMs),
    groups: deps.groups,
    fired,
    deferredUntil: (id, execId) => deferrals.untilMs(id, execId),
    run: deps.run,
    accepting: deps.accepting,
    log,
    now,
  });
  const ordersWatch = new BucketWatcher({ nc, bucket: BUCKETS.scheduleOrders, log, onEntry: (key, value) => orders.offer(key, value) });
  const freezeWatch = new BucketWatcher({ nc, bucket: BUCKETS.fleetConfig, key: FREEZE_KEY, log, onEntry: (_key, value) => freeze.seen(value) });
  const ticker = new Ticker(deps.tickMs ?? DEFAULT_SCHEDULE_TICK_MS, () => void scheduler.tick());
  return {
    maintenance,
    start: () => {
      ordersWatch.start();
      freezeWatch.start();
      ticker.start();
    },
    stop: () => {
      ticker.stop();
      ordersWatch.stop();
      freezeWatch.stop();
    },
  };
}
