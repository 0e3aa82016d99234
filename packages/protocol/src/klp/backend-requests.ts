/**
 * What an agent asks the backend on behalf of a local user (`klp.<pc_id>.jobs.<op>`, request/reply). The
 * backend takes the pc_id from the subject the broker let this agent publish on, never from the body.
 */
import * as z from "zod";
import { JOB_ID_RE } from "../ids.js";
import { catalogJobSchema, klpUserSchema } from "./methods.js";
import { supportBundleContentSchema } from "../support-bundles.js";

export const KLP_JOB_OPS = ["list", "execute", "kill"] as const;
export type KlpJobOp = (typeof KLP_JOB_OPS)[number];

export const klpListRequestSchema = z.object({ user: klpUserSchema });
export const klpExecuteRequestSchema = z.object({ user: klpUserSchema, job_id: z.string().regex(JOB_ID_RE) });
export const klpKillRequestSchema = z.object({ user: klpUserSchema, exec_id: z.string().min(1).max(64) });

export const KLP_BACKEND_ERRORS = ["NOT_FOUND", "UNAUTHORIZED", "BAD_REQUEST", "UNAVAILABLE"] as const;
const failure = z.object({ ok: z.literal(false), code: z.enum(KLP_BACKEND_ERRORS), message: z.string() });
export type KlpBackendFailure = z.infer<typeof failure>;

export const klpListReplySchema = z.union([z.object({ ok: z.literal(true), jobs: z.array(catalogJobSchema) }), failure]);
export const klpExecuteReplySchema = z.union([z.object({ ok: z.literal(true), exec_id: z.string() }), failure]);
export const klpKillReplySchema = z.union([z.object({ ok: z.literal(true) }), failure]);
/** `klp.<pc_id>.support.upload`: the bundle itself; `user` in it is what the OS said. */
export const klpSupportRequestSchema = supportBundleContentSchema.extend({ user: klpUserSchema });
export const klpSupportReplySchema = z.union([z.object({ ok: z.literal(true), bundle_id: z.string() }), failure]);

/** The audit actor of a run a local user started: `klp:<pc_id>:<user>`. */
export const klpActor = (pcId: string, user: string): string => `klp:${pcId}:${user}`;
