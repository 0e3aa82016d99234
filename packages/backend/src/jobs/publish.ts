/**
 * Publishing a job manifest. A version number carries one content forever (a second content for it is refused;
 * the same content again is a harmless replace), and weakening a governance field needs an admin — audited
 * with the values before and after.
 */
import { KanadeError, roleAtLeast, type Manifest, type ManifestIssue } from "@kanade/protocol";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import type { Catalog } from "./catalog.js";
import { manifestDigest, shortDigest } from "./digest.js";
import { latestEntry, type JobVersions } from "./versions.js";

export interface JobPublishDeps {
  catalog: Catalog;
  audit: Pick<Audit, "around">;
  /** The largest KV value the broker takes (its max_payload); job and YAML must each fit. */
  maxValueBytes(): number;
  clock: () => Date;
}

export interface GovernanceChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Room left in a KV message for NATS headers and our own framing. */
const VALUE_HEADROOM_BYTES = 4 * 1024;

export function invalidManifest(issues: ManifestIssue[]): KanadeError {
  return new KanadeError("INVALID_MANIFEST", `The job manifest is invalid:\n${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n")}`, {
    details: issues,
  });
}

/** Governance fields that a new content would weaken compared with the previous one. */
export function weakenedGovernance(before: { require_approval: boolean; approval?: { approver_group: string } | undefined } | undefined, after: Manifest): GovernanceChange[] {
  if (!before) return [];
  const changes: GovernanceChange[] = [];
  if (before.require_approval && !after.require_approval) changes.push({ field: "require_approval", before: true, after: false });
  // Dropping the approver group, or naming another one (maybe a wider one), loosens who may approve.
  const group = before.approval?.approver_group;
  if (group !== undefined && after.approval?.approver_group !== group) {
    changes.push({ field: "approval.approver_group", before: group, after: after.approval?.approver_group ?? null });
  }
  return changes;
}

function checkSize(manifest: Manifest, yaml: string, limit: number): void {
  const json = Buffer.byteLength(JSON.stringify(manifest));
  const text = Buffer.byteLength(yaml);
  const max = limit - VALUE_HEADROOM_BYTES;
  if (json <= max && text <= max) return;
  const field = manifest.execute.script !== undefined ? "execute.script" : "";
  throw invalidManifest([
    {
      path: field,
      message: `the manifest is ${Math.max(json, text)} bytes; the broker stores at most ${max} per job — put a large script in a script object (kanade script publish) and use execute.script_object`,
    },
  ]);
}

export async function publishJob(
  deps: JobPublishDeps,
  caller: Caller,
  input: { manifest: Manifest; yaml: string; about?: Record<string, unknown> },
): Promise<{ id: string; version: string; created: boolean }> {
  const { manifest, yaml } = input;
  if (manifest.execute.script_file !== undefined) {
    throw invalidManifest([{ path: "execute.script_file", message: "the CLI inlines script_file; send script instead" }]);
  }
  checkSize(manifest, yaml, deps.maxValueBytes());
  const digest = manifestDigest(manifest);
  const versions = await deps.catalog.versions(manifest.id);
  const same = versions.value[manifest.version];
  if (same && same.digest !== digest) {
    throw new KanadeError(
      "CONFLICT",
      `Version ${manifest.version} of job "${manifest.id}" already carries other content (${shortDigest(same.digest)}); ` +
        `a version never changes its content — give this one a new version`,
      { details: [{ path: "version", message: `${manifest.version} is taken by other content` }] },
    );
  }
  const current = await deps.catalog.get(manifest.id);
  const weakened = weakenedGovernance(current ?? latestEntry(versions.value), manifest);
  if (weakened.length > 0 && !roleAtLeast(caller.role, "admin")) {
    throw new KanadeError(
      "FORBIDDEN",
      `Weakening ${weakened.map((w) => w.field).join(", ")} of job "${manifest.id}" needs the admin role; "${caller.actor}" is ${caller.role}`,
      { details: weakened.map((w) => ({ path: w.field, message: `${String(w.before)} → ${String(w.after)} needs an admin` })) },
    );
  }
  const next: JobVersions = {
    ...versions.value,
    [manifest.version]: same ?? { digest, require_approval: manifest.require_approval, at: deps.clock().toISOString(), by: caller.actor },
  };
  const payload = { ...input.about, version: manifest.version, digest, ...(weakened.length ? { governance_weakened: weakened } : {}) };
  const { created } = await deps.audit.around(
    caller,
    { action: current ? "job.replace" : "job.create", target: manifest.id, payload },
    () => deps.catalog.put(manifest, yaml, { value: next, revision: versions.revision }),
  );
  return { id: manifest.id, version: manifest.version, created };
}
