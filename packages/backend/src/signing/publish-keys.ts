/**
 * Publishes the trusted command keys to `fleet_config` (`command_keys`), signed, whenever the set the broker
 * holds is older than the backend's. Agents follow it; a set they cannot verify changes nothing for them.
 */
import { Kvm } from "@nats-io/kv";
import { BUCKETS, COMMAND_KEYS_KV_KEY, commandKeySetSchema } from "@kanade/protocol";
import type { Logger } from "pino";
import { live } from "../jobs/catalog.js";
import type { Nats } from "../nats.js";
import type { CommandSigner } from "./keys.js";

export async function publishCommandKeys(nats: Nats, signer: Pick<CommandSigner, "keySet">, log: Logger, now = new Date()): Promise<void> {
  const kv = await new Kvm(nats.js).open(BUCKETS.fleetConfig);
  const set = signer.keySet(now);
  const current = live(await kv.get(COMMAND_KEYS_KV_KEY));
  const held = current ? commandKeySetSchema.safeParse(current.json<unknown>()) : undefined;
  if (held?.success && held.data.sequence >= set.sequence) {
    const same = JSON.stringify(held.data.keys) === JSON.stringify(set.keys);
    if (!same) {
      log.error(
        { broker_sequence: held.data.sequence, our_sequence: set.sequence },
        "the broker holds a newer command key set than this backend's keys directory; agents will refuse this backend's commands until it uses the keys they trust (restore the directory, or re-enroll the agents)",
      );
    }
    return;
  }
  await kv.put(COMMAND_KEYS_KV_KEY, JSON.stringify(set));
  log.info({ sequence: set.sequence, keys: set.keys.map((k) => k.kid) }, "command keys published");
}
