/**
 * Standing orders of `runs_on: agent` schedules (protocol schedule-order.ts): for each enabled one whose job
 * can run, the backend signs the schedule's rules and the exact command into the `schedule_orders` bucket,
 * keyed by schedule id; agents only read it. A schedule deleted, disabled or switched to the backend, or whose
 * job is gone or revoked, has its order removed, and the agents stop firing it. `sync` is idempotent: an order
 * is signed again only when what it says changed.
 */
import { Kvm, type KV } from "@nats-io/kv";
import {
  BUCKETS,
  SCRIPT_STATUS,
  canonicalJson,
  manifestTimeoutSecs,
  standingOrderSchema,
  type Manifest,
  type OrderCommand,
  type ScriptStatus,
  type Signature,
  type SignedKind,
  type StandingOrder,
  type StoredSchedule,
} from "@kanade/protocol";
import type { Logger } from "pino";
import { live } from "../jobs/catalog.js";
import type { Nats } from "../nats.js";

export interface OrderJobs {
  get(id: string): Promise<Manifest | undefined>;
  status(id: string): Promise<ScriptStatus | undefined>;
  scriptObjectSha256(key: string): Promise<string | undefined>;
}

export interface OrderPublisherDeps {
  jobs: OrderJobs;
  sign(kind: SignedKind, message: Record<string, unknown>): Signature;
  /** The key `sign` signs with now: an order signed by a key since retired is signed again. */
  activeKid(): string | undefined;
  log: Logger;
  clock: () => Date;
}

export interface OrderPublisher {
  /** Makes the bucket hold exactly the orders the given schedules call for. */
  sync(schedules: readonly StoredSchedule[]): Promise<void>;
}

/** What a PC runs for this job: the content of a Command, as executions/publish.ts plans it. */
export function orderCommand(m: Manifest, scriptSha256: string | undefined): OrderCommand {
  return {
    job_id: m.id,
    version: m.version,
    shell: m.execute.shell,
    ...(m.execute.script !== undefined && m.execute.script.trim() !== "" ? { script: m.execute.script } : {}),
    ...(m.execute.script_object !== undefined ? { script_object: m.execute.script_object, ...(scriptSha256 ? { script_sha256: scriptSha256 } : {}) } : {}),
    timeout_secs: manifestTimeoutSecs(m),
    run_as: m.execute.run_as,
    ...(m.execute.cwd !== undefined ? { cwd: m.execute.cwd } : {}),
    staleness: m.staleness,
    ...(m.inventory !== undefined ? { inventory: true } : {}),
  };
}

/** The `since` both sides derive exec_ids from (a schedule stored before `since` existed counts from the epoch). */
export const orderSince = (v: StoredSchedule): string => new Date(v.since !== undefined ? Date.parse(v.since) : 0).toISOString();

type Content = Pick<StandingOrder, "schedule_id" | "schedule" | "since" | "command">;
const fingerprint = (c: Content, kid: string | undefined): string =>
  canonicalJson({ schedule_id: c.schedule_id, schedule: c.schedule, since: c.since, command: c.command, kid });

export async function openOrderPublisher(nats: Nats, deps: OrderPublisherDeps): Promise<OrderPublisher> {
  const kv: KV = await new Kvm(nats.js).open(BUCKETS.scheduleOrders);
  const { log } = deps;
  /** id → fingerprint of the order in the bucket; undefined until read once. */
  let published: Map<string, string> | undefined;

  const readBucket = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for await (const key of await kv.keys()) {
      const e = live(await kv.get(key));
      if (!e) continue;
      let value: unknown;
      try {
        value = e.json<unknown>();
      } catch {
        value = undefined; // not JSON: replaced or removed below like any order that does not parse
      }
      const r = standingOrderSchema.safeParse(value);
      out.set(key, r.success ? fingerprint(r.data, r.data.signature?.kid) : "");
    }
    return out;
  };

  /** The order a schedule calls for, or why it has none. */
  const wanted = async (v: StoredSchedule): Promise<Content | string> => {
    const s = v.schedule;
    if (s.runs_on !== "agent") return "runs on the backend";
    if (!s.enabled) return "disabled";
    const m = await deps.jobs.get(s.job);
    if (!m) return `job ${s.job} is not in the catalog`;
    if ((await deps.jobs.status(s.job)) === SCRIPT_STATUS.REVOKED) return `job ${s.job} is revoked`;
    if (m.require_approval) return `job ${s.job} requires approval for each run`;
    let sha: string | undefined;
    if (m.execute.script_object !== undefined) {
      sha = await deps.jobs.scriptObjectSha256(m.execute.script_object);
      if (!sha) return `script object ${m.execute.script_object} is missing`;
    }
    return { schedule_id: s.id, schedule: s, since: orderSince(v), command: orderCommand(m, sha) };
  };

  return {
    sync: async (schedules) => {
      const have = (published ??= await readBucket());
      const kid = deps.activeKid();
      const keep = new Set<string>();
      for (const v of schedules) {
        const id = v.schedule.id;
        const want = await wanted(v);
        if (typeof want === "string") {
          if (v.schedule.runs_on === "agent" && have.has(id)) log.info({ schedule_id: id, reason: want }, "agent-side schedule has no standing order");
          continue;
        }
        keep.add(id);
        const fp = fingerprint(want, kid);
        if (have.get(id) === fp) continue;
        const unsigned = { ...want, issued_at: deps.clock().toISOString(), issued_by: `schedule:${id}` };
        const order: StandingOrder = { ...unsigned, signature: deps.sign("scheduleOrder", unsigned) };
        await kv.put(id, JSON.stringify(order));
        have.set(id, fp);
        log.info({ schedule_id: id, job_id: want.command.job_id, version: want.command.version }, "standing order published");
      }
      for (const id of [...have.keys()]) {
        if (keep.has(id)) continue;
        await kv.delete(id);
        have.delete(id);
        log.info({ schedule_id: id }, "standing order withdrawn");
      }
    },
  };
}
