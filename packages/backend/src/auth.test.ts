import Fastify, { type FastifyInstance } from "fastify";
import { describe, expect, it } from "vitest";
import type { Identity } from "@kanade/protocol";
import { registerAuth, tokenMatches, type SessionResolver } from "./auth.js";
import { registerErrorHandling } from "./errors.js";

describe("tokenMatches", () => {
  it("matches only the exact token, whatever the lengths", () => {
    expect(tokenMatches("secret", "secret")).toBe(true);
    expect(tokenMatches("secre", "secret")).toBe(false);
    expect(tokenMatches("secret-longer", "secret")).toBe(false);
    expect(tokenMatches("", "secret")).toBe(false);
  });
});

describe("wrong bearer tokens", () => {
  const IDENTITY: Identity = { actor: "ada", role: "viewer", kind: "account", must_change_password: false };
  /** A session store slower than SQLite (another engine, a busy disk): every lookup waits for the next timer. */
  const slowSessions = (good: string): SessionResolver => ({
    mayBeLive: async (token) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return token === good;
    },
    resolve: async (token) => (token === good ? { identity: IDENTITY, session: { id: "s1", alive: async () => true } } : undefined),
  });

  const appWith = async (sessions: SessionResolver): Promise<FastifyInstance> => {
    const app = Fastify();
    registerErrorHandling(app);
    registerAuth(app, { authDisabled: false }, sessions, { wrongTokenBudget: { max: 3, windowMs: 60_000 } });
    app.get("/api/whoami", async (req) => ({ actor: req.actor }));
    await app.ready();
    return app;
  };
  const get = (app: FastifyInstance, token: string): Promise<number> =>
    app.inject({ method: "GET", url: "/api/whoami", remoteAddress: "10.0.0.9", headers: { authorization: `Bearer ${token}` } }).then((r) => r.statusCode);

  it("counts parallel guesses before their sessions are looked up, however slow the lookup", async () => {
    const app = await appWith(slowSessions("good-token"));
    try {
      const all = await Promise.all(Array.from({ length: 20 }, (_, i) => get(app, `guess-${i}`)));
      expect(all.filter((s) => s === 401)).toHaveLength(3);
      expect(all.filter((s) => s === 429)).toHaveLength(17);
    } finally {
      await app.close();
    }
  });

  it("gives the unit back when the token proves good, so a signed-in user is not throttled by their own requests", async () => {
    const app = await appWith(slowSessions("good-token"));
    try {
      for (let i = 0; i < 10; i++) expect(await get(app, "good-token")).toBe(200);
      expect(await get(app, "guess")).toBe(401);
    } finally {
      await app.close();
    }
  });
});
