/**
 * `job_versions`: for each job id, the content every version number ever carried (kept after a delete), so
 * the same version can never be given a second content and governance fields can be compared.
 */
import { z } from "zod";

export const jobVersionEntrySchema = z.object({
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  require_approval: z.boolean(),
  at: z.string(),
  by: z.string(),
});
export type JobVersionEntry = z.infer<typeof jobVersionEntrySchema>;

/** The value under one job id: version → entry. */
export const jobVersionsSchema = z.record(z.string(), jobVersionEntrySchema);
export type JobVersions = z.infer<typeof jobVersionsSchema>;

/** The entry recorded most recently, i.e. the job's content before the change being made. */
export function latestEntry(versions: JobVersions): (JobVersionEntry & { version: string }) | undefined {
  let latest: (JobVersionEntry & { version: string }) | undefined;
  for (const [version, e] of Object.entries(versions)) if (!latest || e.at > latest.at) latest = { ...e, version };
  return latest;
}
