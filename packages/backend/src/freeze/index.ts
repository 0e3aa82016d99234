/**
 * The fleet freeze (`fleet_config` KV, key `freeze`): read on every exec and every schedule tick, set and
 * cleared by operators (audited). A value that cannot be read or does not validate counts as frozen.
 */
import { Kvm, type KV } from "@nats-io/kv";
import {
  BUCKETS,
  FREEZE_KEY,
  corruptFreeze,
  freezeStatus,
  freezeValueSchema,
  type FreezeRequest,
  type FreezeStatus,
  type FreezeValue,
} from "@kanade/protocol";
import type { Logger } from "pino";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import type { Nats } from "../nats.js";

export interface Freeze {
  status(): Promise<FreezeStatus>;
  /** Why the fleet is frozen right now, or undefined. */
  frozen(): Promise<string | undefined>;
  set(caller: Caller, req: FreezeRequest): Promise<FreezeStatus>;
  clear(caller: Caller): Promise<FreezeStatus>;
}

export async function openFreeze(deps: { nats: Nats; audit: Pick<Audit, "around">; clock: () => Date; log: Logger }): Promise<Freeze> {
  const kv: KV = await new Kvm(deps.nats.js).open(BUCKETS.fleetConfig);

  const status = async (): Promise<FreezeStatus> => {
    let text: string | undefined;
    try {
      const e = await kv.get(FREEZE_KEY);
      text = e && e.operation === "PUT" ? e.string() : undefined;
    } catch (err) {
      deps.log.warn({ err }, "cannot read the fleet freeze; counting the fleet as frozen");
      return corruptFreeze("cannot read it");
    }
    if (text === undefined) return freezeStatus(null, deps.clock().getTime());
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      deps.log.warn({ err }, "the fleet freeze is not JSON; counting the fleet as frozen");
      return corruptFreeze("not JSON");
    }
    const r = freezeValueSchema.safeParse(value);
    if (!r.success) return corruptFreeze(r.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; "));
    return freezeStatus(r.data, deps.clock().getTime());
  };

  return {
    status,
    frozen: async () => {
      const s = await status();
      return s.frozen ? (s.reason ?? "fleet freeze") : undefined;
    },
    set: async (caller, req) => {
      const now = deps.clock().toISOString();
      const value: FreezeValue = { from: req.from ?? now, until: req.until ?? null, reason: req.reason ?? null, set_by: caller.actor, set_at: now };
      await deps.audit.around(caller, { action: "freeze.set", target: FREEZE_KEY, payload: { from: value.from, until: value.until, reason: value.reason } }, () =>
        kv.put(FREEZE_KEY, JSON.stringify(value)),
      );
      deps.log.info({ from: value.from, until: value.until, reason: value.reason }, "fleet freeze set");
      return status();
    },
    clear: async (caller) => {
      await deps.audit.around(caller, { action: "freeze.clear", target: FREEZE_KEY }, () => kv.delete(FREEZE_KEY));
      deps.log.info("fleet freeze cleared");
      return status();
    },
  };
}
