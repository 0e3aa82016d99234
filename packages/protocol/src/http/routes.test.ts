import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docsPath, pathParamNames } from "./path.js";
import { PC_ID_RE } from "../ids.js";
import { apiRoutes, routeEntries } from "./routes.js";

const key = (method: string, path: string): string => `${method} ${path}`;

describe("route table", () => {
  it("has one route per method and path, under operation names that read as verbs", () => {
    const keys = routeEntries.map(([, r]) => key(r.method, r.path));
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const lower = routeEntries.map(([name]) => name.toLowerCase());
    expect(lower.filter((n, i) => lower.indexOf(n) !== i)).toEqual([]);
    for (const [name] of routeEntries) expect(name).toMatch(/^[a-z]+[A-Za-z]*$/);
  });

  it("gives every :param in a path a params schema key, and no key without a :param", () => {
    const mismatched = routeEntries.flatMap(([name, r]) => {
      const inPath = pathParamNames(r.path).sort();
      const inSchema = Object.keys(r.params?.shape ?? {}).sort();
      return inPath.join() === inSchema.join() ? [] : [`${name}: path has [${inPath.join()}], params schema has [${inSchema.join()}]`];
    });
    expect(mismatched).toEqual([]);
  });

  it("lets nothing under /api/agents/ shadow a pc id: the segment after it is :pc or can never be a pc id", () => {
    const shadowing = routeEntries
      .filter(([, r]) => r.path.startsWith("/api/agents/"))
      // `installer.sh` has a dot, which no pc_id has: it shadows nothing.
      .filter(([, r]) => r.path.split("/")[3] !== ":pc" && PC_ID_RE.test(r.path.split("/")[3] ?? ""))
      .map(([name, r]) => `${name}: ${r.path}`);
    expect(shadowing).toEqual([]);
    expect(apiRoutes.listAgentReleases.path).toBe("/api/agent-releases");
    expect(apiRoutes.getRollout.path).toBe("/api/agent-rollout");
  });

  it("serves everything under /api except liveness, metrics and the editors' JSON Schemas", () => {
    const outside = routeEntries.filter(([, r]) => !r.path.startsWith("/api/")).map(([, r]) => r.path);
    expect(outside.sort()).toEqual(["/health", "/metrics", "/schemas/:file"]);
  });

  it("follows the access policy: reads viewer, writes operator, accounts, permission groups, raw KV writes and signing keys admin, sign-in open", () => {
    const exceptions: Record<string, string> = {
      "GET /health": "public",
      "GET /api/version": "public",
      // Editors fetch them without a token; they describe public validation rules, nothing secret.
      "GET /schemas/:file": "public",
      "POST /api/auth/login": "public",
      // Every account may end its session and change its own password, viewers included.
      "POST /api/auth/logout": "viewer",
      "POST /api/auth/password": "viewer",
      // A read whose input (a query) is too long and too structured for a URL.
      "POST /api/group-preview": "viewer",
      "PUT /api/jetstream/kv/:bucket/:key": "admin",
      "DELETE /api/jetstream/kv/:bucket/:key": "admin",
      // Who controls the signing keys controls what every PC will run.
      "POST /api/command-keys": "admin",
      "POST /api/command-keys/:kid/retire": "admin",
      // A technician on a new PC has no account: an enrollment token in the query authenticates these.
      "GET /api/agents/installer.sh": "public",
      "GET /api/agents/installer.ps1": "public",
      "GET /api/agents/installer.bin": "public",
      "GET /api/agents/installer.winsw": "public",
      // Any account manages its own second factor; the policy is an admin's.
      "POST /api/auth/login/second-factor": "public",
      "POST /api/account/totp/enroll": "viewer",
      "POST /api/account/totp/confirm": "viewer",
      "DELETE /api/account/totp": "viewer",
      "PUT /api/auth/totp-policy": "admin",
      // Mailed links: the token is the credential; the reset request answers 202 whatever it names.
      "GET /api/invitations/:token": "public",
      "POST /api/invitations/:token/accept": "public",
      "POST /api/auth/password-reset": "public",
      "POST /api/auth/password-reset/complete": "public",
      // Single sign-on: before sign-in there is no token; state, nonce and the one-time handoff code protect them.
      "GET /api/auth/methods": "public",
      "GET /api/auth/oidc/start": "public",
      "GET /api/auth/oidc/callback": "public",
      "POST /api/auth/oidc/handoff": "public",
    };
    const wrong = routeEntries.flatMap(([name, r]) => {
      const k = key(r.method, r.path);
      // Permission groups decide what other accounts may reach: admins only, like accounts.
      const adminOnly = r.path.startsWith("/api/accounts") || r.path.startsWith("/api/perm-groups");
      const expected = exceptions[k] ?? (adminOnly ? "admin" : r.method === "GET" ? "viewer" : "operator");
      return r.access === expected ? [] : [`${name} (${k}) is ${r.access}, policy says ${expected}`];
    });
    expect(wrong).toEqual([]);
    const stillOpen = routeEntries.filter(([, r]) => r.whilePasswordChangeRequired).map(([name]) => name);
    expect(stillOpen.sort()).toEqual(["changePassword", "getMe", "logout"]);
    const enrolOnly = routeEntries.filter(([, r]) => r.whileTotpEnrollmentRequired).map(([name]) => name);
    expect(enrolOnly.sort()).toEqual(["changePassword", "confirmTotp", "enrollTotp", "getMe", "getTotpStatus", "logout"]);
  });

  it("sends bodies only with changes, and upgrades to WebSockets only on GET", () => {
    const odd = routeEntries.flatMap(([name, r]) => [
      ...(r.method === "GET" && r.body ? [`${name}: GET with a body`] : []),
      ...(r.response.kind === "websocket" && r.method !== "GET" ? [`${name}: WebSocket on ${r.method}`] : []),
    ]);
    expect(odd).toEqual([]);
  });

  it("names each renamed route at its new path", () => {
    expect(key(apiRoutes.revokeJob.method, apiRoutes.revokeJob.path)).toBe("POST /api/jobs/:id/revoke");
    expect(key(apiRoutes.unrevokeJob.method, apiRoutes.unrevokeJob.path)).toBe("POST /api/jobs/:id/unrevoke");
    const pcConfig = [apiRoutes.getAgentConfig, apiRoutes.putAgentConfig, apiRoutes.patchAgentConfig, apiRoutes.deleteAgentConfig];
    expect(pcConfig.map((r) => key(r.method, r.path))).toEqual(["GET", "PUT", "PATCH", "DELETE"].map((m) => `${m} /api/agents/:pc/config`));
    const releases = [apiRoutes.listAgentReleases, apiRoutes.publishAgentRelease, apiRoutes.downloadAgentRelease, apiRoutes.deleteAgentRelease];
    expect(releases.map((r) => key(r.method, r.path))).toEqual([
      "GET /api/agent-releases",
      "POST /api/agent-releases",
      "GET /api/agent-releases/:key",
      "DELETE /api/agent-releases/:key",
    ]);
    expect(routeEntries.filter(([, r]) => /\/api\/(scripts|pcs)\//.test(r.path))).toEqual([]);
  });
});

describe("the API reference", () => {
  const doc = readFileSync(join(import.meta.dirname, "../../../../docs/reference/api.md"), "utf8");

  it("lists every route of the table as `METHOD /path` with {param} placeholders", () => {
    // A query example may follow the path inside the backticks (`GET /api/agents/{pc}/logs?tail=N`).
    const missing = routeEntries
      .map(([, r]) => `\`${r.method} ${docsPath(r.path)}`)
      .filter((needle) => !doc.includes(`${needle}\``) && !doc.includes(`${needle}?`));
    expect(missing).toEqual([]);
  });

  it("names the route table as the source of truth", () => {
    expect(doc).toContain("packages/protocol/src/http/routes.ts");
  });
});

describe("src/http", () => {
  it("imports no node: module outside tests, so browsers can load it", () => {
    const offenders = readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .filter((f) => /from\s+["']node:|import\(["']node:/.test(readFileSync(join(import.meta.dirname, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
