/** `--waves`, `--abort-if` and `--min-results`, shared by `kanade exec` and `kanade agent rollout`. */
import { parseWaves, type RolloutSpec } from "@kanade/protocol";
import { badInput } from "./errors.js";

export interface WaveFlags {
  waves?: string;
  abortIf?: string;
  minResults?: string;
}

/** The rollout part of a request; thresholds left out fall back to the backend's defaults. */
export function parseWaveFlags(opts: WaveFlags): Pick<RolloutSpec, "waves"> & Partial<Omit<RolloutSpec, "waves">> {
  const waves = parseWaves(opts.waves ?? "");
  if (!waves.ok) throw badInput("invalid --waves", [{ path: "--waves", message: waves.message }]);
  const rate = opts.abortIf === undefined ? undefined : Number(opts.abortIf);
  if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw badInput("invalid --abort-if", [{ path: "--abort-if", message: "expected a share from 0 to 1, e.g. 0.2" }]);
  const min = opts.minResults === undefined ? undefined : Number(opts.minResults);
  if (min !== undefined && !(Number.isInteger(min) && min >= 1)) throw badInput("invalid --min-results", [{ path: "--min-results", message: "expected a whole number of at least 1" }]);
  return {
    waves: waves.waves,
    ...(rate !== undefined ? { abort_if_failure_rate: rate } : {}),
    ...(min !== undefined ? { min_results: min } : {}),
  };
}
