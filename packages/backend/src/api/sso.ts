/**
 * `GET /api/auth/methods` (always, with governance) and, when OIDC is configured, `GET /api/auth/oidc/start`,
 * `GET /api/auth/oidc/callback` and `POST /api/auth/oidc/handoff`. Start and callback are browser navigations:
 * they answer redirects, and an HTML page (with the error's status) when the sign-in cannot go on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { KanadeError } from "@kanade/protocol";
import { STATE_COOKIE, type Sso } from "../governance/sso/sso.js";
import { callerOf } from "./caller.js";
import { parseInput, routeDef, serve } from "./route.js";

export function authMethodRoutes(app: FastifyInstance, sso: Sso | undefined): void {
  serve(app, "getAuthMethods", async () => ({ password: true, ...(sso ? { sso: { name: sso.name } } : {}) }));
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page for the browser: the person is mid-navigation, not in the web UI. */
function errorPage(reply: FastifyReply, err: KanadeError): FastifyReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kanade: single sign-on failed</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{background:#eee;padding:0 .2rem}</style></head>
<body><h1>Single sign-on failed</h1>
<p id="sso-error" data-code="${err.code}">${escapeHtml(err.message)}</p>
<p><code>${err.code}</code></p>
<p><a href="/">Back to sign-in</a></p></body></html>`;
  return reply.status(err.status).header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
}

function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const asKanadeError = (req: FastifyRequest, err: unknown): KanadeError => {
  if (err instanceof KanadeError) return err;
  req.log.error({ err }, "single sign-on failed");
  return new KanadeError("INTERNAL", "Single sign-on failed inside kanade; the backend's log has the details");
};

export function ssoRoutes(app: FastifyInstance, sso: Sso): void {
  const cookie = (value: string, maxAgeS: number): string =>
    `${STATE_COOKIE}=${value}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${sso.secureCookie ? "; Secure" : ""}`;

  const start = routeDef("startSso");
  app.route({
    method: start.method,
    url: start.path,
    handler: async (req, reply) => {
      try {
        const { query } = parseInput("startSso", req);
        const started = await sso.start(query);
        return reply.header("set-cookie", cookie(started.state, 600)).header("cache-control", "no-store").redirect(started.location, 302);
      } catch (err) {
        return errorPage(reply, asKanadeError(req, err));
      }
    },
  });

  const callback = routeDef("finishSso");
  app.route({
    method: callback.method,
    url: callback.path,
    handler: async (req, reply) => {
      let returnTo: string | undefined;
      void reply.header("set-cookie", cookie("", 0)).header("cache-control", "no-store");
      try {
        const { query } = parseInput("finishSso", req);
        const pending = await sso.takePending(query.state, cookieValue(req, STATE_COOKIE));
        returnTo = pending.returnTo;
        if (query.error) {
          const detail = query.error_description ? ` (${query.error_description})` : "";
          throw new KanadeError("SSO_FAILED", `The identity provider ended the sign-in: ${query.error}${detail}`);
        }
        const location = await sso.finish(pending, new URL(req.url, "http://callback.invalid").search, callerOf(req));
        return reply.redirect(location, 302);
      } catch (err) {
        const e = asKanadeError(req, err);
        // The CLI's listener shows the reason and the CLI exits with it.
        if (returnTo !== undefined && returnTo !== "web") {
          const to = new URL(returnTo);
          to.searchParams.set("error", e.code);
          to.searchParams.set("error_description", e.message);
          return reply.redirect(to.href, 302);
        }
        return errorPage(reply, e);
      }
    },
  });

  serve(app, "ssoHandoff", async ({ body }) => sso.handoff(body));
}
