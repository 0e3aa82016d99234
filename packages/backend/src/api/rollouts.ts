/** Rollout waves (of a job or of an agent version): start, list, show, pause, resume, abort. */
import type { FastifyInstance } from "fastify";
import type { Rollouts } from "../rollouts/index.js";
import { serve } from "./route.js";

export function waveRolloutRoutes(app: FastifyInstance, rollouts: Rollouts): void {
  serve(app, "startWaveRollout", ({ body }, ctx) => rollouts.start(ctx.caller, body));
  serve(app, "startAgentWaveRollout", ({ body }, ctx) => rollouts.startAgentUpdate(ctx.caller, body));
  serve(app, "listWaveRollouts", async ({ query }) => ({ items: await rollouts.list(query.limit), next_cursor: null }));
  serve(app, "getWaveRollout", ({ params }) => rollouts.get(params.id));
  serve(app, "pauseWaveRollout", ({ params }, ctx) => rollouts.change(ctx.caller, params.id, "pause"));
  serve(app, "resumeWaveRollout", ({ params }, ctx) => rollouts.change(ctx.caller, params.id, "resume"));
  serve(app, "abortWaveRollout", ({ params }, ctx) => rollouts.change(ctx.caller, params.id, "abort"));
}
