/** What the API accepts when an operator writes a config scope: the scope schema plus sanity bounds. */
import { parseDurationMs } from "./duration.js";
import { configScopeSchema, type ConfigScope } from "./messages.js";

/** Fields that are periods of a repeating timer: zero would spin, so at least one second. */
const PERIOD_FIELDS = ["heartbeat_interval", "host_perf_interval", "inventory_interval"] as const;

export const configScopeInputSchema = configScopeSchema.superRefine((scope, ctx) => {
  for (const field of PERIOD_FIELDS) {
    const text = scope[field];
    if (text === undefined) continue;
    const ms = parseDurationMs(text);
    if (ms !== undefined && ms < 1_000) {
      ctx.addIssue({ code: "custom", path: [field], message: "must be at least 1s" });
    }
  }
});

/** Parses `key=value` text as a scope field value: booleans for `inventory_enabled`, strings otherwise. */
export function configValueFromText(field: string, text: string): unknown {
  if (field === "inventory_enabled") {
    if (text === "true") return true;
    if (text === "false") return false;
  }
  return text;
}

export const CONFIG_FIELDS = Object.keys(configScopeSchema.shape) as (keyof ConfigScope)[];
