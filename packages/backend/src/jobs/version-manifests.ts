/**
 * The manifest of `<job>@<version>`, for questions the results projector asks of every batch (is it an
 * inventory job, a compliance check with a webhook). A version's content never changes (jobs/versions.ts), so
 * each is read from the catalog (a broker round trip and a schema parse) once, not once per batch: a fan-out to
 * 5,000 PCs is projected in tens of batches, and each waited for that round trip before it was stored.
 */
import type { Manifest } from "@kanade/protocol";

/** Versions remembered; the oldest is forgotten past this. */
const KNOWN_VERSIONS_MAX = 1_000;

export interface VersionManifests {
  /**
   * The manifest `version` of `jobId` was published with when the catalog holds that version now or held it
   * when first asked; otherwise what the catalog holds now (another version, or undefined).
   */
  get(jobId: string, version: string): Promise<Manifest | undefined>;
}

export function versionManifests(catalog: { get(id: string): Promise<Manifest | undefined> }): VersionManifests {
  const known = new Map<string, Manifest>();
  return {
    get: async (jobId, version) => {
      const key = `${jobId}@${version}`;
      const hit = known.get(key);
      if (hit) return hit;
      const manifest = await catalog.get(jobId);
      // Only the version the catalog holds now is known for sure; results of another one ask again.
      if (manifest?.version === version) {
        known.set(key, manifest);
        if (known.size > KNOWN_VERSIONS_MAX) known.delete(known.keys().next().value!);
      }
      return manifest;
    },
  };
}
