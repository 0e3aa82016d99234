/**
 * The job catalog in KV: `jobs` (manifest JSON, what runs), `jobs_yaml` (as submitted), `job_versions` (every
 * content each version number carried), `script_status`, `script_current`.
 */
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import {
  BUCKETS,
  KanadeError,
  OBJECT_STORES,
  SCRIPT_STATUS,
  manifestSchema,
  parseManifestYaml,
  type JobSummary,
  type Manifest,
  type ScriptStatus,
} from "@kanade/protocol";
import type { Logger } from "pino";
import YAML from "yaml";
import type { Nats } from "../nats.js";
import { manifestDigest } from "./digest.js";
import { jobVersionsSchema, type JobVersions } from "./versions.js";

export interface Catalog {
  /**
   * Stores a manifest and its YAML together (a failed write restores the YAML) and marks it ACTIVE, after
   * recording `versions` with compare-and-set on `versionsRevision`; `created` is false when it replaced one.
   */
  put(manifest: Manifest, yaml: string, versions: { value: JobVersions; revision: number }): Promise<{ created: boolean }>;
  /** The contents every version of a job carried, with the revision for compare-and-set (0: none yet). */
  versions(id: string): Promise<{ value: JobVersions; revision: number }>;
  get(id: string): Promise<Manifest | undefined>;
  getYaml(id: string): Promise<string | undefined>;
  list(): Promise<JobSummary[]>;
  /** Removes the job and REVOKES it, so agents holding an old command refuse to run it. */
  remove(id: string): Promise<boolean>;
  status(id: string): Promise<ScriptStatus | undefined>;
  setStatus(id: string, status: ScriptStatus): Promise<void>;
  setCurrent(id: string, version: string): Promise<void>;
  /** Lowercase hex SHA-256 of a `scripts` object (`<name>/<version>`), or undefined when it is not published. */
  scriptObjectSha256(key: string): Promise<string | undefined>;
}

/** NATS prints object digests as `SHA-256=<base64url>`; agents compare lowercase hex. */
export function digestToHex(digest: string): string | undefined {
  const m = /^SHA-256=(.+)$/i.exec(digest);
  return m?.[1] ? Buffer.from(m[1], "base64url").toString("hex") : undefined;
}

/** A KV entry that holds a value (not a delete/purge marker). */
export const live = (e: KvEntry | null): KvEntry | undefined => (e && e.operation === "PUT" ? e : undefined);

export async function openCatalog(nats: Nats, log: Logger): Promise<Catalog> {
  const kvm = new Kvm(nats.js);
  const [jobs, yaml, status, current, versionsKv] = await Promise.all([
    kvm.open(BUCKETS.jobs),
    kvm.open(BUCKETS.jobsYaml),
    kvm.open(BUCKETS.scriptStatus),
    kvm.open(BUCKETS.scriptCurrent),
    kvm.open(BUCKETS.jobVersions),
  ]);
  const scripts = await new Objm(nats.js).open(OBJECT_STORES.scripts);

  const readManifest = async (kv: KV, id: string): Promise<Manifest | undefined> => {
    const e = live(await kv.get(id));
    if (!e) return undefined;
    const r = manifestSchema.safeParse(e.json<unknown>());
    if (!r.success) {
      log.warn({ job_id: id, problem: r.error.message }, "stored manifest no longer validates");
      return undefined;
    }
    return r.data;
  };
  const readStatus = async (id: string): Promise<ScriptStatus | undefined> => {
    const v = live(await status.get(id))?.string();
    return v === SCRIPT_STATUS.ACTIVE || v === SCRIPT_STATUS.REVOKED ? v : undefined;
  };

  const readVersions = async (id: string): Promise<{ value: JobVersions; revision: number }> => {
    const e = live(await versionsKv.get(id));
    if (!e) return { value: {}, revision: 0 };
    const r = jobVersionsSchema.safeParse(e.json<unknown>());
    if (!r.success) throw new KanadeError("INTERNAL", `job_versions entry of "${id}" is corrupt: ${r.error.message}`);
    return { value: r.data, revision: e.revision };
  };

  await reconcileYaml({ jobs, yaml, readManifest, log });

  return {
    put: async (manifest, text, versions) => {
      const id = manifest.id;
      const value = JSON.stringify(versions.value);
      try {
        if (versions.revision === 0) await versionsKv.create(id, value);
        else await versionsKv.update(id, value, versions.revision);
      } catch (err) {
        if (!/wrong last sequence|key exists/i.test((err as Error).message)) throw err;
        throw new KanadeError("CONFLICT", `Job "${id}" was changed by someone else at the same moment; send it again`, { cause: err });
      }
      const existed = live(await jobs.get(id)) !== undefined;
      const before = live(await yaml.get(id));
      await yaml.put(id, text);
      try {
        await jobs.put(id, JSON.stringify(manifest));
      } catch (err) {
        // The runnable job did not change: put its YAML back so the two never disagree.
        await (before ? yaml.put(id, before.value) : yaml.delete(id)).catch((e: unknown) =>
          log.error({ err: e, job_id: id }, "cannot restore the YAML of a job whose update failed; it is reconciled at the next start"),
        );
        throw err;
      }
      await status.put(id, SCRIPT_STATUS.ACTIVE);
      return { created: !existed };
    },
    versions: readVersions,
    get: (id) => readManifest(jobs, id),
    getYaml: async (id) => live(await yaml.get(id))?.string(),
    list: async () => {
      const ids: string[] = [];
      for await (const k of await jobs.keys()) ids.push(k);
      ids.sort();
      const out: JobSummary[] = [];
      for (const id of ids) {
        const m = await readManifest(jobs, id);
        if (!m) continue;
        out.push(summarize(m, (await readStatus(id)) ?? SCRIPT_STATUS.ACTIVE));
      }
      return out;
    },
    remove: async (id) => {
      const existed = live(await jobs.get(id)) !== undefined;
      if (!existed) return false;
      // Revoke first: if the delete half-fails, the job is at least refused by agents.
      await status.put(id, SCRIPT_STATUS.REVOKED);
      await jobs.delete(id);
      await yaml.delete(id);
      return true;
    },
    status: readStatus,
    setStatus: async (id, s) => void (await status.put(id, s)),
    setCurrent: async (id, version) => void (await current.put(id, version)),
    scriptObjectSha256: async (key) => {
      const info = await scripts.info(key);
      return info && !info.deleted ? digestToHex(info.digest) : undefined;
    },
  };
}

/**
 * A backend that stopped between the two writes of a job leaves `jobs_yaml` describing other content than
 * `jobs`: the runnable job wins, and its YAML is written again from it (saying so in a comment).
 */
async function reconcileYaml(deps: { jobs: KV; yaml: KV; readManifest: (kv: KV, id: string) => Promise<Manifest | undefined>; log: Logger }): Promise<void> {
  const ids: string[] = [];
  for await (const k of await deps.jobs.keys()) ids.push(k);
  for (const id of ids) {
    const m = await deps.readManifest(deps.jobs, id);
    if (!m) continue;
    const text = live(await deps.yaml.get(id))?.string();
    const parsed = text === undefined ? undefined : parseManifestYaml(text);
    if (parsed?.ok && manifestDigest(parsed.manifest) === manifestDigest(m)) continue;
    const regenerated = `# Regenerated by kanade-backend from the stored job: the YAML as sent was lost or did not match.\n${YAML.stringify(m)}`;
    await deps.yaml.put(id, regenerated);
    deps.log.warn({ job_id: id, version: m.version }, "job YAML did not match the stored job; regenerated it");
  }
}

export function summarize(m: Manifest, status: ScriptStatus): JobSummary {
  return {
    id: m.id,
    version: m.version,
    description: m.description ?? null,
    shell: m.execute.shell,
    require_approval: m.require_approval,
    status,
    inventory: m.inventory !== undefined,
  };
}
