/** An agent offline longer than EXEC's max age (KANADE_EXEC_MAX_AGE, here 2s) receives nothing stale. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecResponse, ListResponse, ResultRecord } from "@kanade/protocol";
import { sleep, startNatsServer, startTestBackend, startTestFleet, waitFor, type NatsServer, type TestBackend, type TestFleet } from "@kanade/testkit";

const JOB = `id: max-age
version: 1.0.0
execute:
  shell: sh
  script: |
    echo ran
`;

let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { execMaxAgeMs: 2_000 });
  fleet = await startTestFleet(nats.url, []);
  const res = await fetch(`${backend.url}/api/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/yaml" },
    body: JOB,
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
});

describe("EXEC max age", () => {
  it("an agent offline past max age gets nothing; one back in time gets the command", async () => {
    const fire = async (pc: string): Promise<string> => (await backend.api<ExecResponse>("POST", "/api/exec/max-age", { pcs: [pc] })).body.exec_id;
    const results = async (execId: string): Promise<ResultRecord[]> =>
      (await backend.api<ListResponse<ResultRecord>>("GET", `/api/results?exec_id=${execId}`)).body.items;

    const stale = await fire("away-pc");
    const fresh = await fire("back-pc");
    await fleet.start("back-pc");
    await waitFor(async () => (await results(fresh)).length === 1, { what: "the fresh command to run" });

    // Past max age the broker has dropped the command: the returning agent has nothing to replay.
    await sleep(3_500);
    await fleet.start("away-pc");
    // Starting replays first; a command fired afterwards proves the agent is listening, and its result
    // lands after any replayed one would have (one outbox, in order).
    const probe = await fire("away-pc");
    await waitFor(async () => (await results(probe)).length === 1, { what: "a new command to reach the returned agent" });
    expect(await results(stale)).toEqual([]);
  });
});
