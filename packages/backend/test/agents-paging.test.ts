/**
 * `GET /api/agents?limit=` pages by pc_id with an opaque cursor (issue 16): a walk returns every agent exactly
 * once and in order, with and without filters (online, group, tag, text, hidden), each page at most `limit`;
 * `limit` is capped and a bad cursor is refused naming `cursor`. Real nats-server, real backend and database
 * (SQLite, or PostgreSQL under KANADE_TEST_DB=postgres). The clock is pinned after the heartbeats are in, so
 * which agents are online and which are hidden does not depend on how long the test takes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { subjects, type AgentSummary, type ListResponse } from "@kanade/protocol";
import { sampleHeartbeat, waitFor } from "@kanade/testkit";
import { useBackendEnv } from "./helpers.js";

const HIDE_AFTER_MS = 3_600_000;
const N = 60;
const pcs = Array.from({ length: N }, (_, i) => `ap-${String(i).padStart(3, "0")}`);
/** Heard first, then hidden by the pinned clock. */
const old = pcs.filter((_, i) => i % 5 === 0);
/** A 1-s interval: offline at the pinned clock (an hour later); the others say 3600 s, so they stay online. */
const quick = new Set(pcs.filter((_, i) => i % 3 === 0));
const even = new Set(pcs.filter((_, i) => i % 2 === 0));
const osaka = ["ap-004", "ap-005", "ap-031", "ap-047", "ap-050"];

type ErrBody = { error: { code: string; message: string } };

describe("paging the agents list", () => {
  let pinned: Date | undefined;
  const env = useBackendEnv({ hideAgentsAfterMs: HIDE_AFTER_MS }, { clock: () => pinned ?? new Date() });
  const get = async (query: string): Promise<{ status: number; body: unknown }> => env().backend.api("GET", `/api/agents${query}`);
  const whole = async (query = ""): Promise<AgentSummary[]> => ((await get(`?${query}`)).body as ListResponse<AgentSummary>).items;

  /** Follows next_cursor to the end; every page is checked against `limit`. */
  const walk = async (query: string, limit: number): Promise<{ ids: string[]; pages: number }> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(`?limit=${limit}${query ? `&${query}` : ""}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const page = r.body as ListResponse<AgentSummary>;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((a) => a.pc_id));
      cursor = page.next_cursor;
      pages++;
      expect(pages).toBeLessThan(200);
    } while (cursor !== null);
    return { ids, pages };
  };

  const heartbeats = async (which: readonly string[]): Promise<void> => {
    for (const pc of which) {
      const hb = sampleHeartbeat(pc, { groups: even.has(pc) ? ["even"] : [], ...(quick.has(pc) ? { heartbeat_interval_secs: 1 } : {}) });
      env().nc.publish(subjects.heartbeat(pc), JSON.stringify(hb));
    }
    await waitFor(async () => (await whole("include_hidden=true")).filter((a) => which.includes(a.pc_id)).length === which.length, {
      what: `${which.length} agents stored`,
    });
  };

  beforeAll(async () => {
    await heartbeats(old);
    const oldSeen = Math.max(...(await whole("include_hidden=true")).map((a) => Date.parse(a.last_seen!)));
    await heartbeats(pcs.filter((pc) => !old.includes(pc)));
    const all = await whole("include_hidden=true");
    const newSeen = Math.min(...all.filter((a) => !old.includes(a.pc_id)).map((a) => Date.parse(a.last_seen!)));
    expect(newSeen).toBeGreaterThan(oldSeen);
    for (const pc of osaka) expect((await env().backend.api("PATCH", `/api/agents/${pc}/tags`, { set: { site: "osaka" } })).status).toBe(200);
    await waitFor(async () => (await whole("tag=site=osaka")).length === osaka.length, { what: "the osaka tags projected" });
    // From here on the backend's clock stands just over an hour after the first batch was heard: that batch is
    // hidden, the 1-s agents are offline.
    pinned = new Date(oldSeen + HIDE_AFTER_MS + 1);
    await waitFor(async () => (await whole()).length === N - old.length, { what: "the first batch hidden" });
  });

  it("walks every agent exactly once, in pc_id order, a page at a time", async () => {
    const expected = pcs.filter((pc) => !old.includes(pc));
    expect((await whole()).map((a) => a.pc_id)).toEqual(expected);
    for (const limit of [1, 7, 48, 49, 1000]) {
      const { ids, pages } = await walk("", limit);
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    }
    expect((await walk("include_hidden=true", 9)).ids).toEqual(pcs);
  });

  it("walks with filters: the same agents as the whole list, each once", async () => {
    const visible = (pc: string): boolean => !old.includes(pc);
    const cases: [string, string[]][] = [
      ["online=true", pcs.filter((pc) => visible(pc) && !quick.has(pc))],
      ["online=false", pcs.filter((pc) => visible(pc) && quick.has(pc))],
      ["group=even", pcs.filter((pc) => visible(pc) && even.has(pc))],
      ["group=even&online=false", pcs.filter((pc) => visible(pc) && even.has(pc) && quick.has(pc))],
      ["tag=site=osaka", osaka.filter(visible)],
      ["tag=site", osaka.filter(visible)],
      ["tag=site=osaka&include_hidden=true", osaka],
      ["q=ap-01", pcs.filter((pc) => visible(pc) && pc.startsWith("ap-01"))],
      ["q=ap-01&online=true&include_hidden=true", pcs.filter((pc) => pc.startsWith("ap-01") && !quick.has(pc))],
      ["group=nobody", []],
    ];
    for (const [query, expected] of cases) {
      expect((await whole(query)).map((a) => a.pc_id), query).toEqual(expected);
      for (const limit of [1, 4, 500]) expect((await walk(query, limit)).ids, `${query} limit ${limit}`).toEqual(expected);
    }
  });

  it("answers a first page with a cursor, and refuses a bad cursor or limit naming them", async () => {
    const first = (await get("?limit=10")).body as ListResponse<AgentSummary>;
    expect(first.items).toHaveLength(10);
    expect(first.next_cursor).toEqual(expect.any(String));
    for (const cursor of ["not-a-cursor", Buffer.from('["at","id"]').toString("base64url"), Buffer.from("{}").toString("base64url")]) {
      const r = await get(`?limit=10&cursor=${cursor}`);
      expect(r.status, cursor).toBe(400);
      expect((r.body as ErrBody).error.message).toMatch(/^cursor: /);
    }
    for (const limit of ["0", "5001", "x"]) {
      const r = await get(`?limit=${limit}`);
      expect(r.status, limit).toBe(400);
      expect((r.body as ErrBody).error.message).toMatch(/limit/);
    }
    expect(((await get("?limit=5000")).body as ListResponse<AgentSummary>).items).toHaveLength(N - old.length);
  });
});
