/** The job catalog in KV: `jobs` (manifest JSON), `jobs_yaml` (as submitted), `script_status`, `script_current`. */
import { Kvm, type KV, type KvEntry } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import {
  BUCKETS,
  OBJECT_STORES,
  SCRIPT_STATUS,
  manifestSchema,
  type JobSummary,
  type Manifest,
  type ScriptStatus,
} from "@kanade/protocol";
import type { Logger } from "pino";
import type { Nats } from "../nats.js";

export interface Catalog {
  /** Stores a manifest and its YAML and marks it ACTIVE; `created` is false when it replaced one. */
  put(manifest: Manifest, yaml: string): Promise<{ created: boolean }>;
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
  const [jobs, yaml, status, current] = await Promise.all([
    kvm.open(BUCKETS.jobs),
    kvm.open(BUCKETS.jobsYaml),
    kvm.open(BUCKETS.scriptStatus),
    kvm.open(BUCKETS.scriptCurrent),
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

  return {
    put: async (manifest, text) => {
      const existed = live(await jobs.get(manifest.id)) !== undefined;
      await yaml.put(manifest.id, text);
      await jobs.put(manifest.id, JSON.stringify(manifest));
      await status.put(manifest.id, SCRIPT_STATUS.ACTIVE);
      return { created: !existed };
    },
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

export function summarize(m: Manifest, status: ScriptStatus): JobSummary {
  return {
    id: m.id,
    version: m.version,
    description: m.description ?? null,
    shell: m.execute.shell,
    require_approval: m.require_approval,
    status,
  };
}
