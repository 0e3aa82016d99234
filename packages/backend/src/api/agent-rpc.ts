/** Request/reply to one agent through NATS: ping (round trip + a fresh heartbeat), its log tail, and a running script's live output. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { NoRespondersError, RequestError, TimeoutError, type Msg } from "@nats-io/transport-node";
import {
  KanadeError,
  PING_TIMEOUT_MS,
  agentLogsReplySchema,
  runTailReplySchema,
  type RunTailRequest,
  heartbeatSchema,
  subjects,
  type AgentLogsResponse,
  type PingReply,
} from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { requireNats } from "../nats.js";
import { serve } from "./route.js";


const noReply = (pc: string, why: string): KanadeError =>
  new KanadeError("TIMEOUT", `no reply from ${pc} in ${PING_TIMEOUT_MS / 1000} s (${why})`);

/** One request to an agent; silence (timeout or nobody subscribed) becomes 504 TIMEOUT "no reply in 5 s". */
async function ask(deps: RouteDeps, pc: string, subject: string, body: unknown): Promise<Msg> {
  requireNats(deps.nats);
  try {
    return await deps.nats.nc.request(subject, JSON.stringify(body), { timeout: PING_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
      throw noReply(pc, "the agent is offline or not connected");
    }
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
      throw noReply(pc, "the agent did not answer");
    }
    throw err;
  }
}

function decodeReply<T>(msg: Msg, schema: z.ZodType<T>, pc: string, what: string): T {
  let value: unknown;
  try {
    value = msg.json<unknown>();
  } catch (err) {
    throw new KanadeError("INTERNAL", `${pc} answered the ${what} with something that is not JSON`, { cause: err });
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new KanadeError("INTERNAL", `${pc} answered the ${what} with an invalid reply: ${r.error.message}`);
  return r.data;
}

export function agentRpcRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const ping = async (pc: string): Promise<PingReply> => {
    const t0 = performance.now();
    const msg = await ask(deps, pc, subjects.agentPing(pc), {});
    const rtt = performance.now() - t0;
    const heartbeat = decodeReply(msg, heartbeatSchema, pc, "ping");
    return { pc_id: pc, rtt_ms: Math.round(rtt * 100) / 100, heartbeat };
  };

  serve(app, "pingAgent", async ({ params }, ctx) => {
    const reply = await ping(params.pc);
    ctx.req.log.info({ pc_id: reply.pc_id, rtt_ms: reply.rtt_ms }, "agent pinged");
    return reply;
  });
  // Read-only alias: a ping changes nothing, so a GET is allowed too (SPEC lists POST).
  serve(app, "getAgentPing", ({ params }) => ping(params.pc));

  serve(app, "getAgentLogs", async ({ params, query }): Promise<AgentLogsResponse> => {
    const msg = await ask(deps, params.pc, subjects.agentLogs(params.pc), { tail: query.tail });
    return decodeReply(msg, agentLogsReplySchema, params.pc, "log request");
  });
  // Live output: one request per poll of a follower, so nothing is sent while nobody follows.
  serve(app, "tailRun", async ({ params, query }) => {
    await deps.executions.get(params.exec_id, false);
    const body: RunTailRequest = { exec_id: params.exec_id, stdout_from: query.stdout_from, stderr_from: query.stderr_from };
    const msg = await ask(deps, query.pc, subjects.agentTail(query.pc), body);
    return decodeReply(msg, runTailReplySchema, query.pc, "tail request");
  });
}
