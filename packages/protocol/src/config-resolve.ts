/** Layered agent config (SPEC §4): built-in → global → groups (alphabetical, last wins) → pcs.<pc_id>. */
import { CONFIG_DEFAULTS, type ConfigScope } from "./messages.js";

export type ConfigField = keyof ConfigScope;

/** Where an effective value came from: `default`, `global`, `groups.<g>` or `pcs.<pc_id>`. */
export type ConfigSource = string;

export interface ConfigConflict {
  field: ConfigField;
  /** Every group scope that sets the field, in resolution order; the last one wins. */
  groups: string[];
  winner: string;
}

export interface ConfigLayers {
  global?: ConfigScope;
  /** Scope per group name; only the PC's own groups are consulted. */
  groups?: Record<string, ConfigScope>;
  pc?: ConfigScope;
}

export interface EffectiveConfig {
  effective: ConfigScope & typeof CONFIG_DEFAULTS;
  sources: Partial<Record<ConfigField, ConfigSource>>;
  conflicts: ConfigConflict[];
}

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
