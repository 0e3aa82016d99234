/**
 * The small things operators expect (issue 17 §5): editor JSON Schemas served without a token, a fleet
 * readiness probe that says why it fails, projector lag in /metrics, long-gone agents out of the lists, and
 * compressed answers.
 */
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { jsonSchema, subjects, type AgentSummary, type FleetHealth, type ListResponse } from "@kanade/protocol";
import { sampleHeartbeat, sleep, startNatsServer, waitFor } from "@kanade/testkit";
import { startTestBackend, useBackendEnv } from "./helpers.js";

/** A raw GET asking for gzip, so the test sees the bytes on the wire rather than fetch's decoded body. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("operator basics", () => {
  const env = useBackendEnv({ hideAgentsAfterMs: 1_500 });

  it("serves the editors' JSON Schemas without a token, as generated from the zod types", async () => {
    const res = await fetch(`${env().backend.url}/schemas/job-manifest.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(jsonSchema("job-manifest"));
    const schedule = await fetch(`${env().backend.url}/schemas/schedule.json`);
    expect(((await schedule.json()) as { title: string }).title).toBe("kanade schedule");
    const unknown = await fetch(`${env().backend.url}/schemas/secrets.json`);
    expect(unknown.status).toBe(400);
  });

  it("compresses answers for clients that accept gzip, and leaves small ones alone", async () => {
    const big = await rawGet(`${env().backend.url}/schemas/job-manifest.json`, { "accept-encoding": "gzip" });
    expect(big.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(big.body).toString("utf8"))).toEqual(jsonSchema("job-manifest"));
    const plain = await rawGet(`${env().backend.url}/schemas/job-manifest.json`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const small = await rawGet(`${env().backend.url}/health`, { "accept-encoding": "gzip" });
    expect(small.headers["content-encoding"]).toBeUndefined();
  });

  it("answers the fleet probe 200 with every check, and 503 naming stale agents past the asked share", async () => {
    expect((await fetch(`${env().backend.url}/api/health/fleet`)).status).toBe(401);
    const ok = await env().backend.api("GET", "/api/health/fleet");
    expect(ok.status).toBe(200);
    const h = ok.body as FleetHealth;
    expect(h).toMatchObject({ status: "ok", reasons: [], checks: { broker: { ok: true }, database: { ok: true }, projectors: { ok: true } } });
    expect(h.checks.projectors.lag.map((l) => l.projector).sort()).toEqual(["audit", "inventory", "results", "started"]);

    env().nc.publish(subjects.heartbeat("health-pc"), JSON.stringify(sampleHeartbeat("health-pc")));
    await waitFor(async () => (await env().backend.api("GET", "/api/agents/health-pc")).status === 200, { what: "health-pc known" });
    await sleep(1_100);
    const stale = await env().backend.api("GET", "/api/health/fleet?stale_after=1s&max_stale_share=0");
    expect(stale.status).toBe(503);
    expect((stale.body as FleetHealth).reasons).toEqual([expect.stringMatching(/^agents: 1 of 1 agents not heard from for 1s \(more than 0%\)$/)]);
    const lenient = await env().backend.api("GET", "/api/health/fleet?stale_after=1s&max_stale_share=1");
    expect(lenient.status).toBe(200);
    const bad = await env().backend.api("GET", "/api/health/fleet?max_stale_share=2");
    expect(bad.status).toBe(400);
  });

  it("puts every projector's lag into /metrics", async () => {
    const text = (await env().backend.api("GET", "/metrics")).text;
    for (const p of ["results", "started", "inventory", "audit"]) expect(text).toMatch(new RegExp(`^kanade_projector_lag\\{projector="${p}"\\} \\d+$`, "m"));
  });

  it("leaves agents not seen for agents_hide_after out of the list, not out of their history", async () => {
    env().nc.publish(subjects.heartbeat("gone-pc"), JSON.stringify(sampleHeartbeat("gone-pc")));
    const listed = async (q = ""): Promise<string[]> => ((await env().backend.api("GET", `/api/agents${q}`)).body as ListResponse<AgentSummary>).items.map((a) => a.pc_id);
    await waitFor(async () => (await listed()).includes("gone-pc"), { what: "gone-pc listed while fresh" });
    await waitFor(async () => !(await listed()).includes("gone-pc"), { what: "gone-pc hidden after 1.5s" });
    expect(await listed("?include_hidden=true")).toContain("gone-pc");
    expect((await env().backend.api("GET", "/api/agents/gone-pc")).status).toBe(200);
  });
});

describe("fleet probe while the broker is away", () => {
  it("answers 503 naming the broker", async () => {
    const server = await startNatsServer();
    const backend = await startTestBackend(server.url);
    try {
      await server.dispose();
      const h = await waitFor(
        async () => {
          const r = await backend.api("GET", "/api/health/fleet");
          return r.status === 503 ? (r.body as FleetHealth) : undefined;
        },
        { what: "503 from the fleet probe" },
      );
      expect(h.reasons[0]).toMatch(/^broker: the NATS broker cannot be reached$/);
      expect(h.checks.projectors.detail).toBe("unknown while the broker is away");
    } finally {
      await backend.close();
      backend.removeDb();
    }
  });
});
