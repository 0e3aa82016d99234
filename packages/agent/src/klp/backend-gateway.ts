/** Asks the backend, over the agent's own broker connection, on behalf of a local user (see backend klp/responder.ts). */
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import type { z } from "zod";
import { subjects, type SupportBundleContent } from "@kanade/protocol/wire";
import {
  klpExecuteReplySchema,
  klpKillReplySchema,
  klpListReplySchema,
  klpSupportReplySchema,
  type CatalogJob,
  type KlpBackendFailure,
  type KlpJobOp,
} from "@kanade/protocol/klp";
import { faults, type KlpFault } from "./faults.js";

const REQUEST_TIMEOUT_MS = 10_000;

export interface BackendGateway {
  catalog(user: string): Promise<CatalogJob[]>;
  execute(user: string, jobId: string): Promise<string>;
  kill(user: string, execId: string): Promise<void>;
  /** Hands a support bundle to the backend; resolves with its id. */
  uploadSupport(bundle: SupportBundleContent): Promise<string>;
}

export function natsBackendGateway(opts: { nc: NatsConnection; pcId: string; log: Logger; isConnected(): boolean }): BackendGateway {
  const ask = async <S extends z.ZodType>(op: KlpJobOp | "support", body: object, schema: S): Promise<Exclude<z.infer<S>, KlpBackendFailure>> => {
    if (!opts.isConnected()) throw faults.disconnected();
    let raw: unknown;
    try {
      const subject = op === "support" ? subjects.klpSupport(opts.pcId) : subjects.klpJobs(opts.pcId, op);
      const msg = await opts.nc.request(subject, JSON.stringify(body), { timeout: REQUEST_TIMEOUT_MS });
      raw = msg.json<unknown>();
    } catch (err) {
      opts.log.warn({ err, op }, "klp: the backend did not answer");
      throw faults.disconnected("the backend did not answer; try again later");
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      opts.log.warn({ op }, "klp: the backend's answer does not match the contract");
      throw faults.disconnected("the backend's answer could not be read");
    }
    const reply = r.data as { ok: boolean };
    if (!reply.ok) throw toFault(reply as KlpBackendFailure);
    return r.data as Exclude<z.infer<S>, KlpBackendFailure>;
  };
  return {
    catalog: async (user) => (await ask("list", { user }, klpListReplySchema)).jobs,
    execute: async (user, jobId) => (await ask("execute", { user, job_id: jobId }, klpExecuteReplySchema)).exec_id,
    kill: async (user, execId) => void (await ask("kill", { user, exec_id: execId }, klpKillReplySchema)),
    uploadSupport: async (bundle) => (await ask("support", bundle, klpSupportReplySchema)).bundle_id,
  };
}

function toFault(f: KlpBackendFailure): KlpFault {
  if (f.code === "NOT_FOUND") return faults.notFound(f.message);
  if (f.code === "UNAUTHORIZED") return faults.unauthorized(f.message);
  return faults.disconnected(f.message);
}
