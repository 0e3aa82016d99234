/** Enrollment: join requests (accept, reject), revocation and enrollment tokens. */
import type { FastifyInstance } from "fastify";
import { KanadeError } from "@kanade/protocol";
import type { Enrollment } from "../enrollment/service.js";
import { serve } from "./route.js";

/** Without `kanade-backend nats init` material the broker is open: there is no credential to grant or take. */
function need(enrollment: Enrollment | undefined): Enrollment {
  if (enrollment) return enrollment;
  throw new KanadeError("CONFLICT", "Enrollment needs a locked-down broker: run `kanade-backend nats init --dir <dir>` and start the backend with KANADE_NATS_AUTH_DIR=<dir>");
}

export function enrollmentRoutes(app: FastifyInstance, enrollment: Enrollment | undefined): void {
  serve(app, "listEnrollments", async ({ query }) => ({ items: need(enrollment).list(query.state), next_cursor: null }));
  serve(app, "acceptEnrollments", async ({ body }, ctx) => ({ items: await need(enrollment).accept(body.pcs, ctx.caller), next_cursor: null }));
  serve(app, "rejectEnrollments", async ({ body }, ctx) => ({ items: await need(enrollment).reject(body.pcs, ctx.caller), next_cursor: null }));
  serve(app, "revokeAgent", async ({ params }, ctx) => need(enrollment).revoke(params.pc, ctx.caller));
  serve(app, "listEnrollTokens", async () => ({ items: need(enrollment).listTokens(), next_cursor: null }));
  serve(app, "createEnrollToken", async ({ body }, ctx) => need(enrollment).createToken(body, ctx.caller));
}
