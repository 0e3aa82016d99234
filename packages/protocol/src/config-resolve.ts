/** Layered agent config (SPEC §4): built-in → global → groups (alphabetical, last wins) → pcs.<pc_id>. */
import * as z from "zod";
import { CONFIG_DEFAULTS, configScopeSchema, type ConfigScope } from "./messages.js";

export type ConfigField = keyof ConfigScope;
const configFieldSchema = configScopeSchema.keyof();

/** Where an effective value came from: `default`, `global`, `groups.<g>` or `pcs.<pc_id>`. */
export type ConfigSource = string;

export const configConflictSchema = z.object({
  field: configFieldSchema,
  /** Every group scope that sets the field, in resolution order; the last one wins. */
  groups: z.array(z.string()),
  winner: z.string(),
});
export type ConfigConflict = z.infer<typeof configConflictSchema>;

export interface ConfigLayers {
  global?: ConfigScope;
  /** Scope per group name; only the PC's own groups are consulted. */
  groups?: Record<string, ConfigScope>;
  pc?: ConfigScope;
}

/** A scope as the API answers it: the wire fields, unknown ones dropped (a newer backend may add some). */
export const configScopeViewSchema = z.object(configScopeSchema.shape);

const DEFAULTED = { heartbeat_interval: true, host_perf_interval: true, inventory_interval: true, inventory_jitter: true, inventory_enabled: true } as const satisfies Record<keyof typeof CONFIG_DEFAULTS, true>;

export const effectiveConfigSchema = z.object({
  /** Every field with a built-in default is always present. */
  effective: configScopeViewSchema.required(DEFAULTED),
  // An object, not a record over the field enum: a field only a newer backend knows is dropped, not refused.
  sources: z.object(Object.fromEntries(configFieldSchema.options.map((f) => [f, z.string().optional()])) as Record<ConfigField, z.ZodOptional<z.ZodString>>),
  conflicts: z.array(configConflictSchema),
});
export type EffectiveConfig = z.infer<typeof effectiveConfigSchema>;

/** Resolves the effective config of a PC that belongs to `pcGroups`. Pure. */
export function resolveConfig(layers: ConfigLayers, pcGroups: readonly string[], pcId = "pc"): EffectiveConfig {
  const effective: Record<string, unknown> = { ...CONFIG_DEFAULTS };
  const sources: Partial<Record<ConfigField, ConfigSource>> = {};
  for (const k of Object.keys(CONFIG_DEFAULTS) as ConfigField[]) sources[k] = "default";
  const apply = (scope: ConfigScope | undefined, source: string): void => {
    if (!scope) return;
    for (const [k, v] of Object.entries(scope) as [ConfigField, unknown][]) {
      if (v === undefined) continue;
      effective[k] = v;
      sources[k] = source;
    }
  };
  apply(layers.global, "global");
  const setters = new Map<ConfigField, string[]>();
  for (const g of [...new Set(pcGroups)].sort()) {
    const scope = layers.groups?.[g];
    if (!scope) continue;
    for (const [k, v] of Object.entries(scope) as [ConfigField, unknown][]) {
      if (v !== undefined) setters.set(k, [...(setters.get(k) ?? []), g]);
    }
    apply(scope, `groups.${g}`);
  }
  apply(layers.pc, `pcs.${pcId}`);
  const conflicts: ConfigConflict[] = [];
  for (const [field, groups] of setters) {
    if (groups.length > 1) conflicts.push({ field, groups, winner: sources[field] ?? `groups.${groups.at(-1)}` });
  }
  return { effective: effective as EffectiveConfig["effective"], sources, conflicts };
}
