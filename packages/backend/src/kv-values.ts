/**
 * What a raw `PUT /api/jetstream/kv/{bucket}/{key}` may write: only kanade's own buckets, keys NATS
 * accepts, and — where agents or the backend parse the value — a value that parses, so a hand edit
 * cannot leave an entry every reader silently ignores.
 */
import type { z } from "zod";
import {
  BUCKETS,
  KanadeError,
  OBJECT_STORES,
  SCRIPT_STATUS,
  agentGroupsSchema,
  agentTagsSchema,
  configScopeSchema,
  manifestSchema,
  type BucketName,
  type ObjectStoreName,
} from "@kanade/protocol";
import { parseOr400 } from "./errors.js";

const BUCKET_NAMES: readonly string[] = Object.values(BUCKETS);
const STORE_NAMES: readonly string[] = Object.values(OBJECT_STORES);

/** The bucket, or NOT_FOUND listing the ones that exist. */
export function requireBucket(name: string): BucketName {
  if (BUCKET_NAMES.includes(name)) return name as BucketName;
  throw new KanadeError("NOT_FOUND", `No KV bucket "${name}"; kanade's buckets are ${BUCKET_NAMES.join(", ")}`);
}

/** The object store, or NOT_FOUND listing the ones that exist. */
export function requireObjectStore(name: string): ObjectStoreName {
  if (STORE_NAMES.includes(name)) return name as ObjectStoreName;
  throw new KanadeError("NOT_FOUND", `No object store "${name}"; kanade's object stores are ${STORE_NAMES.join(", ")}`);
}

// The NATS KV key rule (letters, digits, - / _ = .), plus no empty subject token.
const KV_KEY_RE = /^[-/=.\w]{1,1024}$/;

export function checkKvKey(key: string): void {
  if (!KV_KEY_RE.test(key) || key.startsWith(".") || key.endsWith(".") || key.includes("..")) {
    throw new KanadeError("BAD_REQUEST", `invalid KV key "${key}": use letters, digits and - / _ = . (not at either end, no "..")`);
  }
}

const CONFIG_KEY_RE = /^(global|groups\.[^.]+|pcs\.[^.]+)$/;
const SCRIPT_STATUSES: readonly string[] = Object.values(SCRIPT_STATUS);

/** JSON values with a schema, and what else the key must agree with. */
const JSON_VALUES: Partial<Record<BucketName, { schema: z.ZodType<unknown>; check?: (key: string, value: unknown) => string | undefined }>> = {
  [BUCKETS.agentGroups]: { schema: agentGroupsSchema },
  [BUCKETS.agentTags]: { schema: agentTagsSchema },
  [BUCKETS.agentConfig]: {
    schema: configScopeSchema,
    check: (key) => (CONFIG_KEY_RE.test(key) ? undefined : `agent_config keys are global, groups.<group> or pcs.<pc_id>, not "${key}"`),
  },
  [BUCKETS.jobs]: {
    schema: manifestSchema,
    check: (key, value) => {
      const id = (value as { id: string }).id;
      return id === key ? undefined : `the manifest id "${id}" must equal the key "${key}"`;
    },
  },
};

/** Throws BAD_REQUEST naming the problem when `value` is not what readers of `bucket` expect. */
export function checkKvValue(bucket: BucketName, key: string, value: string): void {
  if (bucket === BUCKETS.scheduleOrders) {
    // Signed by the backend from the schedules; a hand-written order would only be refused by every agent.
    throw new KanadeError("BAD_REQUEST", "schedule_orders is written by the backend from the schedules; change the schedule instead (kanade schedule create)");
  }
  if (bucket === BUCKETS.scriptStatus) {
    if (!SCRIPT_STATUSES.includes(value)) throw new KanadeError("BAD_REQUEST", `script_status values are ${SCRIPT_STATUSES.join(" or ")}, not "${value}"`);
    return;
  }
  const rule = JSON_VALUES[bucket];
  if (!rule) return;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    throw new KanadeError("BAD_REQUEST", `${bucket} values are JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseOr400(rule.schema, json, `${bucket} value`);
  const problem = rule.check?.(key, parsed);
  if (problem) throw new KanadeError("BAD_REQUEST", `invalid ${bucket} entry: ${problem}`);
}
