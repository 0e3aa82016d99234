/** Follows the key set the backend publishes in `fleet_config` (`command_keys`) into a trust store. */
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { BUCKETS, COMMAND_KEYS_KV_KEY, commandKeySetSchema } from "@kanade/protocol/wire";
import { BucketWatcher } from "../kv-watch.js";
import { safeJson } from "../safe-json.js";
import type { TrustStore } from "./trust-store.js";

export function watchCommandKeys(deps: { nc: NatsConnection; trust: TrustStore; log: Logger }): BucketWatcher {
  return new BucketWatcher({
    nc: deps.nc,
    bucket: BUCKETS.fleetConfig,
    key: COMMAND_KEYS_KV_KEY,
    log: deps.log,
    onEntry: (_key, value) => {
      if (value === undefined) return;
      const set = commandKeySetSchema.safeParse(safeJson(new TextEncoder().encode(value)));
      if (!set.success) return deps.log.warn({ problem: set.error.message }, "ignored a malformed command key set");
      deps.trust.offer(set.data);
    },
  });
}
