import { ApiError } from "@kanade/protocol";
import { describe, expect, it } from "vitest";
import { answerTable } from "./answer-table.js";
import { createWebClient } from "./client.js";

const agent = { pc_id: "pc-1", online: true, hostname: null, os_family: null, os_version: null, agent_version: null, groups: [], last_seen: null };
const me = { actor: "olga", role: "operator", kind: "account", must_change_password: false };

describe("the web UI's API client", () => {
  it("sends the session's token, read at every call", async () => {
    let token: string | null = "first";
    const t = answerTable({ "GET /api/auth/me": { status: 200, body: me } });
    const api = createWebClient({ token: () => token, fetch: t.fetch });
    await api.call("getMe");
    token = "second";
    await api.call("getMe");
    token = null;
    await api.call("getMe");
    expect(t.asked).toEqual(["GET /api/auth/me as first", "GET /api/auth/me as second", "GET /api/auth/me"]);
  });

  it("signs out on a 401 and hands the page the typed error", async () => {
    const t = answerTable({ "GET /api/agents": { status: 401, body: { error: { code: "UNAUTHORIZED", message: "Session expired" } } } });
    let signedOut = 0;
    const api = createWebClient({ token: () => "old", fetch: t.fetch, onUnauthorized: () => signedOut++ });
    await expect(api.call("listAgents")).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401, message: "Session expired" });
    expect(signedOut).toBe(1);
  });

  it("refuses an answer that breaks the contract, naming the field (validation is on)", async () => {
    const broken = { items: [{ ...agent, online: "yes" }], next_cursor: null };
    const t = answerTable({ "GET /api/agents": { status: 200, body: broken } });
    const err = await createWebClient({ token: () => null, fetch: t.fetch }).call("listAgents").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "BAD_RESPONSE" });
    expect((err as ApiError).message).toContain("items.0.online");
  });

  it("builds the request from the route table: path params encoded, query from typed values", async () => {
    const t = answerTable({
      "GET /api/results?pc_id=pc-1&limit=20": { status: 200, body: { items: [], next_cursor: null } },
      "POST /api/jobs/hello/revoke": { status: 200, body: { id: "hello", status: "REVOKED" } },
    });
    const api = createWebClient({ token: () => null, fetch: t.fetch });
    await api.call("listResults", { query: { pc_id: "pc-1", limit: 20 } });
    expect(await api.call("revokeJob", { params: { id: "hello" } })).toEqual({ id: "hello", status: "REVOKED" });
    expect(t.asked).toEqual(["GET /api/results?pc_id=pc-1&limit=20", "POST /api/jobs/hello/revoke"]);
  });
});
