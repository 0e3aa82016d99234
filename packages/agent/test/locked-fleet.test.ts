/**
 * The whole loop on a locked-down broker: agents holding only their own credential heartbeat, join
 * groups, run PC, group and fleet-wide commands, upload full output and report results — and the broker
 * logs no permission violation while they do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionDetail, ListResponse, ResultRecord } from "@kanade/protocol";
import { startLockedNatsServer, startTestBackend, startTestFleet, waitFor, type LockedNats, type TestBackend, type TestFleet } from "@kanade/testkit";

const PCS = ["lock-pc-1", "lock-pc-2"];

describe("agents on a locked-down broker", () => {
  let broker: LockedNats;
  let backend: TestBackend;
  let fleet: TestFleet;

  beforeAll(async () => {
    broker = await startLockedNatsServer();
    backend = await startTestBackend(broker.url, { natsAuthDir: broker.authDir });
    expect((await backend.api("PUT", "/api/agents/lock-pc-1/groups", { groups: ["lab"] })).status).toBe(200);
    fleet = await startTestFleet(broker.url, []);
    for (const pc of PCS) {
      const c = broker.agent(pc);
      await fleet.start(pc, { credential: { jwt: c.jwt, seed: c.seed } });
    }
    await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === 2, { what: "both agents seen" });
  });
  afterAll(async () => {
    if (process.env.DEBUG_LOCK) console.log(broker.server.output().split("\n").filter((l) => /Violation|ERR|WRN/.test(l)).join("\n"));
    await fleet?.close();
    await backend?.close();
    await broker?.dispose();
  });

  const run = async (target: Record<string, unknown>, expected: number): Promise<ResultRecord[]> => {
    const r = await backend.api<{ exec_id: string }>("POST", "/api/exec/big", target);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const detail = await waitFor(
      async () => {
        const d = (await backend.api<ExecutionDetail>("GET", `/api/executions/${r.body.exec_id}`)).body;
        return d.counts.succeeded === expected ? d : undefined;
      },
      { what: `${expected} results of ${JSON.stringify(target)}` },
    );
    expect(detail.counts.succeeded).toBe(expected);
    return (await backend.api<ListResponse<ResultRecord>>("GET", `/api/results?exec_id=${r.body.exec_id}`)).body.items;
  };

  it("runs PC, group and fleet-wide commands and uploads full output, with no permission violation", async () => {
    // 300 KiB of output: more than fits inline, so the agent uploads it to result_output.
    const job = { id: "big", version: "1.0.0", execute: { shell: "sh", script: 'echo "on $KANADE_PC_ID"; head -c 307200 /dev/zero | tr "\\0" "x"', timeout: "30s" } };
    expect((await backend.api("POST", "/api/jobs", job)).status).toBe(201);
    const one = await run({ pcs: ["lock-pc-2"] }, 1);
    expect(one[0]?.pc_id).toBe("lock-pc-2");
    expect(one[0]?.stdout_object).toBeTruthy();
    // The backend reads the object the agent wrote (chunks under its pc_id) back whole.
    const full = await backend.api<ResultRecord>("GET", `/api/results/${one[0]?.result_id}?full=1`);
    expect(full.status).toBe(200);
    expect(full.body.stdout).toBe(`on lock-pc-2\n${"x".repeat(307200)}`);
    expect((await run({ groups: ["lab"] }, 1))[0]?.pc_id).toBe("lock-pc-1");
    expect((await run({ all: true }, 2)).map((r) => r.pc_id).sort()).toEqual(PCS);
    expect(broker.server.output()).not.toMatch(/Violation/);
  });
});
