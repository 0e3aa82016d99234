/** `/metrics` parses as Prometheus text and moves when a real agent runs an exec; `/api/jetstream/status` shows usage. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";
import type { JetStreamStatus } from "@kanade/protocol";
import { startTestFleet, waitFor, type TestFleet } from "@kanade/testkit";
import { HELLO_YAML, TOKEN, useBackendEnv } from "./helpers.js";

const value = (families: MetricFamily[], name: string, labels: Record<string, string> = {}): number => {
  const fam = families.find((f) => f.name === name);
  const sample = fam?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? 0 : Number(sample.value);
};

describe("metrics and JetStream status", () => {
  const env = useBackendEnv();
  let fleet: TestFleet;

  const scrape = async (): Promise<MetricFamily[]> => {
    const res = await fetch(`${env().backend.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return parsePrometheusTextFormat(await res.text());
  };

  beforeAll(async () => {
    fleet = await startTestFleet(env().server.url, ["metrics-pc"], { heartbeatIntervalMs: 1_000 });
    expect((await env().backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
  });
  afterAll(async () => {
    await fleet?.close();
  });

  it("needs a token", async () => {
    expect((await fetch(`${env().backend.url}/metrics`)).status).toBe(401);
  });

  it("parses with a Prometheus text-format parser and its counters move when an exec runs", async () => {
    await waitFor(async () => value(await scrape(), "kanade_agents", { state: "online" }) === 1 || undefined, { what: "agent online in metrics" });
    const before = await scrape();
    for (const name of ["process_resident_memory_bytes", "process_cpu_seconds_total", "kanade_result_projection_lag", "kanade_jetstream_stream_bytes", "kanade_api_request_duration_seconds"]) {
      expect(before.map((f) => f.name), name).toContain(name);
    }
    const execRoute = { method: "POST", route: "/api/exec/:job_id", status: "202" };
    const { exec_id } = (await env().backend.api("POST", "/api/exec/hello", { pcs: ["metrics-pc"] })).body as { exec_id: string };
    await waitFor(async () => {
      const d = (await env().backend.api("GET", `/api/executions/${exec_id}?rows=false`)).body as { counts: { succeeded: number } };
      return d.counts.succeeded === 1 || undefined;
    }, { what: "exec to succeed" });
    const after = await scrape();
    expect(value(after, "kanade_api_requests_total", execRoute)).toBe(value(before, "kanade_api_requests_total", execRoute) + 1);
    expect(value(after, "kanade_results", { status: "succeeded" })).toBe(value(before, "kanade_results", { status: "succeeded" }) + 1);
    expect(value(after, "kanade_executions", { state: "running" })).toBe(value(before, "kanade_executions", { state: "running" }) + 1);
    expect(value(after, "kanade_jetstream_stream_messages", { stream: "RESULTS" })).toBeGreaterThan(value(before, "kanade_jetstream_stream_messages", { stream: "RESULTS" }));
    expect(value(after, "kanade_result_projection_lag")).toBe(0);
  });

  it("lists every stream, KV bucket and object store with usage against its limit", async () => {
    const r = await env().backend.api("GET", "/api/jetstream/status");
    expect(r.status).toBe(200);
    const { items } = r.body as JetStreamStatus;
    const results = items.find((i) => i.kind === "stream" && i.name === "RESULTS")!;
    expect(results.max_bytes).toBe(2 * 1024 ** 3);
    expect(results.messages).toBeGreaterThan(0);
    expect(results.bytes_used_pct).toBeGreaterThan(0);
    expect(items.some((i) => i.kind === "kv" && i.name === "jobs")).toBe(true);
    expect(items.some((i) => i.kind === "object_store" && i.name === "scripts")).toBe(true);
  });
});
