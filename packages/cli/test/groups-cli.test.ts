/**
 * Tags and dynamic groups from the CLI as a process: against a real backend with real agents (tag, define
 * with preview, members, undefine), and against a scripted backend for the compare-and-set retry rule
 * (retry when another operator changed other keys; report, not overwrite, when they changed the same key).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GroupDetail } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, startTestFleet, waitFor, type NatsServer, type TestBackend, type TestFleet } from "@kanade/testkit";
import { startFakeBackend, type FakeBackend, type SeenRequest } from "./fake-backend.js";

describe("kanade agent tag and group define against a real backend", () => {
  let nats: NatsServer;
  let backend: TestBackend;
  let fleet: TestFleet;
  beforeAll(async () => {
    nats = await startNatsServer();
    backend = await startTestBackend(nats.url);
    fleet = await startTestFleet(nats.url, ["tk-1", "tk-2", "tk-3"]);
  });
  afterAll(async () => {
    await fleet?.close();
    await backend?.close();
    await nats?.dispose();
  });
  const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 30_000 });
  async function json<T>(...args: string[]): Promise<T> {
    const r = await kanade(...args, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as T;
  }

  it("tags PCs, previews and defines a query group, lists members, filters agents by tag, undefines", async () => {
    await waitFor(async () => (await json<unknown[]>("agents")).length === 3 || undefined, { what: "three agents", timeoutMs: 20_000 });
    expect(await kanade("agent", "tag", "tk-1", "site=osaka", "owner=finance")).toMatchObject({ code: 0, stdout: "tk-1 tags: owner=finance site=osaka\n" });
    expect((await kanade("agent", "tag", "tk-2", "site=osaka")).code).toBe(0);
    expect(await json("agent", "untag", "tk-1", "owner")).toMatchObject({ pc_id: "tk-1", tags: { site: "osaka" } });

    const preview = await kanade("group", "preview", "--query", 'tag.site = "osaka" and not tag.owner = finance');
    expect(preview).toMatchObject({ code: 0, stdout: "2 PCs match\n  tk-1\n  tk-2\n" });
    expect((await kanade("group", "add", "tk-3", "osaka")).code).toBe(0);
    const defined = await kanade("group", "define", "osaka", "--query", 'tag.site = "osaka"', "--description", "Osaka office");
    expect(defined.code).toBe(0);
    expect(defined.stdout).toContain('query:    tag.site = "osaka"');
    expect(defined.stdout).toContain("members:  3 (2 by query, 1 static)");
    const members = await kanade("group", "members", "osaka");
    expect(members.stdout.split("\n").slice(1, 4).map((l) => l.split(/\s+/).join(" "))).toEqual(["tk-1 query", "tk-2 query", "tk-3 static"]);
    const shown = await json<GroupDetail>("group", "show", "osaka");
    expect(shown).toMatchObject({ members: ["tk-1", "tk-2", "tk-3"], dynamic_members: ["tk-1", "tk-2"], static_members: ["tk-3"] });
    expect((await json<{ pc_id: string }[]>("agents", "--tag", "site=osaka")).map((a) => a.pc_id)).toEqual(["tk-1", "tk-2"]);

    expect(await kanade("group", "undefine", "osaka")).toMatchObject({ code: 0, stdout: "group osaka is no longer dynamic\n" });
    expect((await json<GroupDetail>("group", "show", "osaka")).members).toEqual(["tk-3"]);
  });

  it("names a bad tag or a bad query, and changes nothing", async () => {
    const badTag = await kanade("agent", "tag", "tk-1", "site=osaka", "bad key=x", "novalue");
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toContain('tag key "bad key"');
    expect(badTag.stderr).toContain('expected key=value (got "novalue")');
    const badQuery = await kanade("group", "define", "broken", "--query", "tag.site = osaka and");
    expect(badQuery.code).toBe(2);
    expect(badQuery.stderr).toContain("column 21");
    expect((await kanade("group", "show", "broken")).code).not.toBe(0);
  });
});

describe("kanade agent tag: the compare-and-set retry rule", () => {
  let fake: FakeBackend;
  beforeAll(async () => {
    fake = await startFakeBackend();
  });
  afterAll(async () => {
    await fake?.close();
  });

  /** GETs answer `reads` in turn; the first PATCH is refused with 409, later ones succeed. */
  function script(reads: { tags: Record<string, string>; revision: number }[]): void {
    let get = 0;
    let patched = 0;
    fake.reset((req: SeenRequest) => {
      if (req.method === "GET") return { json: { pc_id: "pc-1", ...reads[Math.min(get++, reads.length - 1)]! } };
      if (req.method !== "PATCH") return undefined;
      if (patched++ === 0) return { status: 409, json: { error: { code: "CONFLICT", message: "the tags of pc-1 were changed by someone else" } } };
      const body = JSON.parse(req.body) as { set: Record<string, string>; expected_revision: number };
      return { json: { pc_id: "pc-1", tags: { ...reads.at(-1)!.tags, ...body.set }, revision: body.expected_revision + 1 } };
    });
  }
  const patches = () => fake.requests.filter((r) => r.method === "PATCH").map((r) => JSON.parse(r.body) as { expected_revision: number });

  it("retries on the new revision when only other keys changed", async () => {
    script([{ tags: { site: "osaka" }, revision: 1 }, { tags: { site: "osaka", owner: "it" }, revision: 2 }]);
    const r = await runCli(["agent", "tag", "pc-1", "rack=4"], { backendUrl: fake.url });
    expect(r).toMatchObject({ code: 0, stdout: "pc-1 tags: site=osaka owner=it rack=4\n" });
    expect(patches().map((p) => p.expected_revision)).toEqual([1, 2]);
  });

  it("reports, and does not overwrite, when someone changed the same key", async () => {
    script([{ tags: { site: "osaka" }, revision: 1 }, { tags: { site: "tokyo" }, revision: 2 }]);
    const r = await runCli(["agent", "tag", "pc-1", "site=nagoya"], { backendUrl: fake.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('site: you saw "osaka", now "tokyo"');
    expect(patches()).toHaveLength(1);
  });
});
