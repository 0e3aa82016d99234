/** Enrollment: join requests (accept, reject), revocation, enrollment tokens, and the one-line installers. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, OBJECT_STORES, SHA256_HEADER, type AgentPlatform, type AgentRelease } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { installerPs1, installerSh, type InstallerInput } from "../enrollment/installer.js";
import { readAgentCa, readServiceWrapper } from "../enrollment/installer-files.js";
import type { Enrollment } from "../enrollment/service.js";
import { requireNats } from "../nats.js";
import { openObjectStore, requireInfo } from "../objects/streaming.js";
import { listReleases } from "./agent-releases.js";
import { sendObject } from "./objects.js";
import { serve } from "./route.js";

/** Without `kanade-backend nats init` material the broker is open: there is no credential to grant or take. */
function need(enrollment: Enrollment | undefined): Enrollment {
  if (enrollment) return enrollment;
  throw new KanadeError("CONFLICT", "Enrollment needs a locked-down broker: run `kanade-backend nats init --dir <dir>` and start the backend with KANADE_NATS_AUTH_DIR=<dir>");
}

/** The newest build for `platform`; the installer pins its digest. */
async function newestRelease(deps: RouteDeps, platform: AgentPlatform): Promise<AgentRelease> {
  requireNats(deps.nats);
  const r = (await listReleases(deps)).find((x) => x.platform === platform);
  if (!r) throw new KanadeError("RELEASE_NOT_PUBLISHED", `No ${platform} agent build is published: run kanade agent publish <file> --platform ${platform}`);
  return r;
}

/** How the caller reached this backend: the install script fetches from the same place. */
const backendUrl = (req: FastifyRequest): string => `${req.protocol}://${req.headers.host ?? req.hostname}`;

export function installerRoutes(app: FastifyInstance, deps: RouteDeps, enrollment: Enrollment | undefined): void {
  const input = async (token: string, platform: AgentPlatform, req: FastifyRequest): Promise<{ e: Enrollment; input: InstallerInput }> => {
    const e = need(enrollment);
    e.checkToken(token);
    const release = await newestRelease(deps, platform);
    const caPem = readAgentCa(e.installer.natsCa);
    return { e, input: { backendUrl: backendUrl(req), natsUrl: e.installer.natsUrl, token, release, enrollCreds: e.installer.enrollCreds, ...(caPem ? { caPem } : {}) } };
  };
  serve(app, "getInstallerShell", async ({ query }, ctx) => installerSh((await input(query.token, "linux-x64", ctx.req)).input));
  serve(app, "getInstallerPowershell", async ({ query }, ctx) => {
    const { e, input: i } = await input(query.token, "windows-x64", ctx.req);
    return installerPs1({ ...i, serviceWrapper: readServiceWrapper(e.installer.serviceWrapper) });
  });
  serve(app, "downloadInstallerRelease", async ({ query }, ctx) => {
    need(enrollment).checkToken(query.token);
    requireNats(deps.nats);
    const info = await requireInfo(await openObjectStore(deps.nats, OBJECT_STORES.agentReleases), OBJECT_STORES.agentReleases, query.key);
    return sendObject(deps, ctx.reply, OBJECT_STORES.agentReleases, info);
  });
  serve(app, "downloadInstallerServiceWrapper", async ({ query }, ctx) => {
    const e = need(enrollment);
    e.checkToken(query.token);
    const wrapper = readServiceWrapper(e.installer.serviceWrapper);
    return ctx.reply
      .header("content-type", "application/octet-stream")
      .header("content-length", String(wrapper.size))
      .header(SHA256_HEADER, wrapper.sha256)
      .send(wrapper.data);
  });
}

export function enrollmentRoutes(app: FastifyInstance, enrollment: Enrollment | undefined): void {
  serve(app, "listEnrollments", async ({ query }) => ({ items: need(enrollment).list(query.state), next_cursor: null }));
  serve(app, "acceptEnrollments", async ({ body }, ctx) => ({ items: await need(enrollment).accept(body.pcs, ctx.caller), next_cursor: null }));
  serve(app, "rejectEnrollments", async ({ body }, ctx) => ({ items: await need(enrollment).reject(body.pcs, ctx.caller), next_cursor: null }));
  serve(app, "revokeAgent", async ({ params }, ctx) => need(enrollment).revoke(params.pc, ctx.caller));
  serve(app, "listEnrollTokens", async () => ({ items: need(enrollment).listTokens(), next_cursor: null }));
  serve(app, "createEnrollToken", async ({ body }, ctx) => need(enrollment).createToken(body, ctx.caller));
}
