import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { hostPerfSchema, subjects, type HostPerf, type PerfFrame } from "@kanade/protocol";
import { sleep, startTestFleet, waitFor, type TestFleet } from "@kanade/testkit";
import { TOKEN, useBackendEnv } from "./helpers.js";

const LEASE_MS = 3_000;
const PC = "perf-pc";

/** A WebSocket client that records every frame. */
async function viewer(url: string, opts: { protocols?: string[]; headers?: Record<string, string> }): Promise<{ ws: WebSocket; frames: PerfFrame[] }> {
  const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers ?? {} });
  const frames: PerfFrame[] = [];
  ws.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString("utf8")) as PerfFrame));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, frames };
}

function sample(pcId: string, over: Partial<HostPerf>): HostPerf {
  return {
    pc_id: pcId,
    at: new Date().toISOString(),
    cpu_pct: 0,
    cpu_count: 4,
    mem_used_bytes: 1,
    mem_total_bytes: 100,
    disk_read_bytes_per_sec: 0,
    disk_write_bytes_per_sec: 0,
    net_rx_bytes_per_sec: 0,
    net_tx_bytes_per_sec: 0,
    ...over,
  };
}

describe("host perf: periodic, live, fleet", () => {
  const env = useBackendEnv({ perfLiveLeaseMs: LEASE_MS });
  let fleet: TestFleet;
  const wsUrl = (path: string): string => env().backend.url.replace(/^http/, "ws") + path;

  beforeAll(async () => {
    fleet = await startTestFleet(env().server.url, [PC]);
  });
  afterAll(async () => {
    await fleet?.close();
  });

  it("a host_perf_interval set through the API takes effect on the running agent, and samples are stored", async () => {
    const seen: HostPerf[] = [];
    const sub = env().nc.subscribe(subjects.hostPerf(PC), { callback: (_e, m) => void seen.push(hostPerfSchema.parse(m.json())) });
    try {
      const r = await env().backend.api("PUT", `/api/agents/${PC}/config`, { host_perf_interval: "1s" });
      expect(r.status).toBe(200);
      // The default is 60 s: three samples within the wait prove the new interval is live.
      await waitFor(() => seen.length >= 3, { what: "three host_perf samples at 1s", timeoutMs: 10_000 });
      const s = seen.at(-1)!;
      expect(s.cpu_count).toBeGreaterThan(0);
      expect(s.mem_total_bytes).toBeGreaterThan(s.mem_used_bytes);
      expect(s.cpu_pct).toBeGreaterThanOrEqual(0);

      const since = new Date(Date.now() - 60_000).toISOString();
      const hist = await waitFor(async () => {
        const h = await env().backend.api("GET", `/api/agents/${PC}/perf?since=${encodeURIComponent(since)}`);
        const items = (h.body as { items: HostPerf[] }).items;
        return items.length >= 2 ? items : undefined;
      }, { what: "stored samples" });
      expect(Date.parse(hist[0]!.at)).toBeLessThanOrEqual(Date.parse(hist.at(-1)!.at));
    } finally {
      await env().backend.api("DELETE", `/api/agents/${PC}/config`);
      sub.unsubscribe();
    }
    // Back to the 60 s default: the stream goes quiet.
    await sleep(1_500);
    const before = seen.length;
    await sleep(2_500);
    expect(seen.length).toBe(before);
  });

  it("streams host and process frames while a viewer is connected, and the agent stops within the lease after it leaves", async () => {
    const { ws, frames } = await viewer(wsUrl(`/api/agents/${PC}/perf/live`), { headers: { authorization: `Bearer ${TOKEN}` } });
    await waitFor(() => frames.filter((f) => f.type === "host_perf").length >= 2 && frames.some((f) => f.type === "process_perf"), {
      what: "live host and process frames",
    });
    const proc = frames.find((f) => f.type === "process_perf");
    if (proc?.type !== "process_perf") throw new Error("no process frame");
    expect(proc.data.top.length).toBeGreaterThan(0);
    expect(proc.data.top.some((p) => p.pid === process.pid)).toBe(true); // the test runner itself is big

    // A browser-style viewer (token as subprotocol) shares the same session; the protocol is echoed.
    const browser = await viewer(wsUrl(`/api/agents/${PC}/perf/live`), { protocols: [`bearer.${TOKEN}`] });
    expect(browser.ws.protocol).toBe(`bearer.${TOKEN}`);
    await waitFor(() => browser.frames.length >= 2, { what: "frames for the second viewer" });
    browser.ws.close();

    // Still streaming past one lease while the first viewer stays (the backend renews).
    await sleep(LEASE_MS + 500);
    const count = frames.length;
    await waitFor(() => frames.length > count + 1, { what: "frames after the first lease ran out" });
    ws.close();

    const after: string[] = [];
    const sub = env().nc.subscribe(subjects.hostPerf(PC), { callback: (_e, m) => void after.push(m.subject) });
    try {
      await sleep(LEASE_MS + 1_000);
      after.length = 0;
      await sleep(2_500);
      expect(after).toEqual([]);
    } finally {
      sub.unsubscribe();
    }
  });

  it("refuses a live viewer without a token", async () => {
    const ws = new WebSocket(wsUrl(`/api/agents/${PC}/perf/live`));
    const status = await new Promise<number>((resolve) =>
      ws.once("unexpected-response", (req, res) => {
        req.destroy(); // handling this event means closing the refused handshake ourselves
        resolve(res.statusCode ?? 0);
      }),
    );
    expect(status).toBe(401);
  });

  it("serves the fleet's latest samples hottest first and streams them live", async () => {
    const fleetView = await viewer(wsUrl("/api/perf/fleet/live"), { headers: { authorization: `Bearer ${TOKEN}` } });
    try {
      env().nc.publish(subjects.hostPerf("hot-cpu"), JSON.stringify(sample("hot-cpu", { cpu_pct: 97 })));
      env().nc.publish(subjects.hostPerf("hot-mem"), JSON.stringify(sample("hot-mem", { cpu_pct: 5, mem_used_bytes: 99 })));
      env().nc.publish(subjects.hostPerf("hot-net"), JSON.stringify(sample("hot-net", { cpu_pct: 3, net_rx_bytes_per_sec: 9e9 })));
      env().nc.publish(subjects.hostPerf("liar"), JSON.stringify(sample("hot-disk", { cpu_pct: 100 }))); // pc_id ≠ subject: dropped
      // The real agent in this file reports the machine's own numbers, so compare only the synthetic PCs.
      const synthetic = new Set(["hot-cpu", "hot-mem", "hot-net", "hot-disk"]);
      const order = async (sort: string): Promise<string[]> =>
        ((await env().backend.api("GET", `/api/perf/fleet?sort=${sort}`)).body as { items: HostPerf[] }).items
          .map((i) => i.pc_id)
          .filter((id) => synthetic.has(id));
      await waitFor(async () => (await order("cpu")).length === 3, { what: "three synthetic PCs in the fleet view" });
      expect(await order("cpu")).toEqual(["hot-cpu", "hot-mem", "hot-net"]);
      expect((await order("mem"))[0]).toBe("hot-mem");
      expect((await order("net"))[0]).toBe("hot-net");
      const limited = await env().backend.api("GET", "/api/perf/fleet?sort=cpu&limit=2");
      expect((limited.body as { items: HostPerf[] }).items).toHaveLength(2);
      expect((await env().backend.api("GET", "/api/perf/fleet?sort=banana")).status).toBe(400);
      await waitFor(() => fleetView.frames.some((f) => f.type === "host_perf" && f.data.pc_id === "hot-net"), { what: "fleet frame" });
      expect(fleetView.frames.some((f) => f.type === "host_perf" && f.data.pc_id === "hot-disk")).toBe(false);
    } finally {
      fleetView.ws.close();
    }
  });
});
