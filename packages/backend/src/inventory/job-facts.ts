/**
 * Inventory jobs (manifest `inventory:` block): their stdout is one JSON object of facts. Parsed here,
 * in the backend, so the rule lives beside the manifest, works with every agent version, and a replay
 * of RESULTS rebuilds the facts exactly. A result whose stdout is not one JSON object is stored as
 * `failed` with the parse error; its raw stdout is kept.
 */
import type { ExecResult } from "@kanade/protocol";
import type { Logger } from "pino";
import type { FleetStore, JobFactsInput } from "../db/fleet-store.js";
import type { Catalog } from "../jobs/catalog.js";
import { versionManifests } from "../jobs/version-manifests.js";

export type ParsedFacts = { ok: true; facts: Record<string, unknown> } | { ok: false; error: string };

/** Parses stdout as exactly one JSON object. Pure. */
export function parseFacts(stdout: string, truncated = false): ParsedFacts {
  if (truncated) return { ok: false, error: "inventory: stdout is larger than the inline cap; print fewer facts" };
  const text = stdout.trim();
  if (text === "") return { ok: false, error: "inventory: stdout is empty; expected one JSON object" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `inventory: stdout is not valid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: "inventory: stdout must be one JSON object, not an array or a scalar" };
  }
  return { ok: true, facts: value as Record<string, unknown> };
}

export interface JobFactsProjector {
  /**
   * Marks unparsable inventory results `failed` (in place) and stores the facts of the others; returns the PCs
   * whose facts it stored (what dynamic groups on `fact.` fields re-evaluate), none for other jobs' results.
   */
  project(results: ExecResult[]): Promise<string[]>;
}

export function createJobFactsProjector(deps: { catalog: Pick<Catalog, "get">; fleet: Pick<FleetStore, "applyJobFacts">; log: Logger }): JobFactsProjector {
  const log = deps.log.child({ projector: "job-facts" });
  const manifests = versionManifests(deps.catalog);
  const inventoryJob = async (jobId: string, version: string): Promise<boolean> => (await manifests.get(jobId, version))?.inventory !== undefined;
  return {
    async project(results) {
      const isInventory = new Map<string, boolean>();
      const facts: JobFactsInput[] = [];
      for (const r of results) {
        if (r.status !== "succeeded") continue;
        const key = `${r.job_id}@${r.version}`;
        if (!isInventory.has(key)) isInventory.set(key, await inventoryJob(r.job_id, r.version));
        if (!isInventory.get(key)) continue;
        const parsed = parseFacts(r.stdout, r.stdout_truncated);
        if (!parsed.ok) {
          log.warn({ result_id: r.result_id, job_id: r.job_id, pc_id: r.pc_id, problem: parsed.error }, "inventory job output rejected");
          r.status = "failed";
          r.error = parsed.error;
          continue;
        }
        facts.push({ job_id: r.job_id, pc_id: r.pc_id, result_id: r.result_id, collected_at: r.finished_at, facts: parsed.facts });
      }
      const applied = await deps.fleet.applyJobFacts(facts);
      if (facts.length) log.debug({ received: facts.length, applied }, "inventory facts projected");
      return [...new Set(facts.map((f) => f.pc_id))];
    },
  };
}
