/**
 * Answers agents asking on behalf of a local user (KLP, `klp.<pc_id>.jobs.<op>`): the catalog of jobs the
 * user may run, running one on that PC, and killing a run started that way. A run is an ordinary execution
 * targeted at the asking PC, so it is signed, audited (actor `klp:<pc_id>:<user>`) and reported like any
 * other. The pc_id is the subject's, which the broker lets an agent publish under its own id only.
 */
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { KanadeError, MAX_SUPPORT_BUNDLE_BYTES, SCRIPT_STATUS, subjects, type Manifest } from "@kanade/protocol";
import {
  klpActor,
  klpExecuteRequestSchema,
  klpKillRequestSchema,
  klpListRequestSchema,
  klpSupportRequestSchema,
  type CatalogJob,
  type KlpBackendFailure,
} from "@kanade/protocol/klp";
import type { Caller } from "../caller.js";
import type { Executions } from "../executions/index.js";
import type { SupportBundles } from "../support/index.js";

export interface KlpResponderDeps {
  nc: NatsConnection;
  catalog: {
    list(): Promise<{ id: string }[]>;
    get(id: string): Promise<Manifest | undefined>;
    status(id: string): Promise<string | undefined>;
  };
  executions: Pick<Executions, "start" | "kill" | "get">;
  support: Pick<SupportBundles, "receive">;
  log: Logger;
}

type Reply = { ok: true; [k: string]: unknown } | KlpBackendFailure;

const fail = (code: KlpBackendFailure["code"], message: string): KlpBackendFailure => ({ ok: false, code, message });
const invokable = (m: Manifest | undefined): m is Manifest => m?.client?.user_invokable === true;

/** A local user acts with operator rights, but only on their own PC and only through these three operations. */
const callerFor = (pcId: string, user: string): Caller => ({ actor: klpActor(pcId, user), role: "operator", sourceIp: null });

export function serveKlpRequests(deps: KlpResponderDeps): { unsubscribe(): void } {
  const subs = [subscribe(deps, subjects.klpJobsAll(), answer), subscribe(deps, subjects.klpSupportAll(), receiveBundle)];
  return { unsubscribe: () => subs.forEach((s) => s.unsubscribe()) };
}

function subscribe(deps: KlpResponderDeps, subject: string, handle: (deps: KlpResponderDeps, msg: Msg) => Promise<Reply>): Subscription {
  const { nc, log } = deps;
  return nc.subscribe(subject, {
    queue: "kanade-backend",
    callback: (err, msg) => {
      if (err) return void log.warn({ err }, "klp subscription error");
      handle(deps, msg).then(
        (reply) => msg.respond(JSON.stringify(reply)),
        (e: unknown) => {
          log.error({ err: e, subject: msg.subject }, "klp request failed");
          msg.respond(JSON.stringify(fail("UNAVAILABLE", "the backend could not handle the request")));
        },
      );
    },
  });
}

async function answer(deps: KlpResponderDeps, msg: Msg): Promise<Reply> {
  const [, pcId, , op] = msg.subject.split(".");
  let body: unknown;
  try {
    body = msg.json<unknown>();
  } catch {
    return fail("BAD_REQUEST", "the request is not JSON");
  }
  if (!pcId) return fail("BAD_REQUEST", "no pc_id in the subject");
  if (op === "list") {
    if (!klpListRequestSchema.safeParse(body).success) return fail("BAD_REQUEST", "invalid list request");
    return { ok: true, jobs: await invokableJobs(deps) };
  }
  if (op === "execute") {
    const r = klpExecuteRequestSchema.safeParse(body);
    if (!r.success) return fail("BAD_REQUEST", "invalid execute request");
    const manifest = await deps.catalog.get(r.data.job_id);
    // A job that exists but is not user-invokable is reported as absent: the catalog is all a user may know.
    if (!invokable(manifest)) return fail("NOT_FOUND", `no job "${r.data.job_id}" that users may run`);
    try {
      const started = await deps.executions.start(callerFor(pcId, r.data.user), r.data.job_id, { pcs: [pcId] });
      deps.log.info({ pc_id: pcId, user: r.data.user, job_id: r.data.job_id, exec_id: started.exec_id }, "local user started a job");
      return { ok: true, exec_id: started.exec_id };
    } catch (e) {
      // A freeze or a revoked job is a refusal the user should read as such, not "try again later".
      if (e instanceof KanadeError) return fail(e.code === "NATS_UNAVAILABLE" ? "UNAVAILABLE" : "UNAUTHORIZED", e.message);
      throw e;
    }
  }
  if (op === "kill") {
    const r = klpKillRequestSchema.safeParse(body);
    if (!r.success) return fail("BAD_REQUEST", "invalid kill request");
    const found = await deps.executions.get(r.data.exec_id, false).catch(() => undefined);
    // Only a run this user started from this PC; anything else is "not found" to them.
    if (!found || found.issued_by !== klpActor(pcId, r.data.user)) return fail("NOT_FOUND", `no run "${r.data.exec_id}" of yours`);
    await deps.executions.kill(callerFor(pcId, r.data.user), r.data.exec_id);
    return { ok: true };
  }
  return fail("BAD_REQUEST", `unknown operation "${op ?? ""}"`);
}

/** `klp.<pc_id>.support.upload`: a local user's support bundle, stored for operators and audited. */
async function receiveBundle(deps: KlpResponderDeps, msg: Msg): Promise<Reply> {
  const pcId = msg.subject.split(".")[1];
  if (!pcId) return fail("BAD_REQUEST", "no pc_id in the subject");
  if (msg.data.length > MAX_SUPPORT_BUNDLE_BYTES) return fail("BAD_REQUEST", `a support bundle may be at most ${MAX_SUPPORT_BUNDLE_BYTES} bytes`);
  let body: unknown;
  try {
    body = msg.json<unknown>();
  } catch {
    return fail("BAD_REQUEST", "the bundle is not JSON");
  }
  const r = klpSupportRequestSchema.safeParse(body);
  if (!r.success) return fail("BAD_REQUEST", "invalid support bundle");
  const id = await deps.support.receive(callerFor(pcId, r.data.user), pcId, r.data, msg.data.length);
  deps.log.info({ pc_id: pcId, user: r.data.user, bundle_id: id }, "support bundle received");
  return { ok: true, bundle_id: id };
}

async function invokableJobs(deps: KlpResponderDeps): Promise<CatalogJob[]> {
  const out: CatalogJob[] = [];
  for (const { id } of await deps.catalog.list()) {
    const m = await deps.catalog.get(id);
    if (!invokable(m) || (await deps.catalog.status(id)) === SCRIPT_STATUS.REVOKED) continue;
    out.push({ id: m.id, version: m.version, ...(m.description ? { description: m.description } : {}) });
  }
  return out;
}
