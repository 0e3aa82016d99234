/** Whole output beyond the inline cap: `?full=1` in JSON up to a limit, and a raw stream with no limit. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { v7 as uuidv7 } from "uuid";
import { putOwnObject } from "@kanade/agent";
import { KanadeError, OBJECT_STORES, resultOutputKey, subjects, type ResultRecord } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { connectNats, type Nats } from "../src/nats.js";
import { withFullOutput } from "../src/results-output.js";
import { makeResult, quietLog, TOKEN, useBackendEnv } from "./helpers.js";

describe("full output", () => {
  const env = useBackendEnv();
  let nats: Nats;
  const text = "行".repeat(150_000) + "\nend\n"; // ~450 KB of UTF-8, well past the 256 KiB inline cap
  let record: ResultRecord;

  beforeAll(async () => {
    nats = await connectNats({ url: env().server.url, log: quietLog() });
    const execId = uuidv7();
    const r = makeResult(execId, "pc-out", { stdout: text.slice(0, 1000), stdout_truncated: true });
    const key = resultOutputKey(r.result_id, "stdout");
    // Written as an agent writes it: chunks under its own pc_id, read back with the ordinary client.
    await putOwnObject(jetstream(env().nc), { pcId: "pc-out", name: key, source: Readable.from([Buffer.from(text, "utf8")]), maxPayload: undefined });
    await jetstream(env().nc).publish(subjects.result(execId, "pc-out"), JSON.stringify({ ...r, stdout_object: key }), { msgID: r.result_id });
    record = await waitFor(async () => {
      const got = await env().backend.api("GET", `/api/results/${r.result_id}`);
      return got.status === 200 ? (got.body as ResultRecord) : undefined;
    }, { what: "the projected result" });
  });
  afterAll(async () => {
    await nats?.nc.close();
  });

  it("returns the whole text with ?full=1 and streams it raw from /output/stdout", async () => {
    expect(record.stdout).toHaveLength(1000);
    const full = (await env().backend.api("GET", `/api/results/${record.result_id}?full=1`)).body as ResultRecord;
    expect(full.stdout).toBe(text);
    const raw = await fetch(`${env().backend.url}/api/results/${record.result_id}/output/stdout`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toMatch(/^text\/plain; charset=utf-8/);
    expect(Number(raw.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    expect(await raw.text()).toBe(text);
    // A stream kept inline comes back from the database as is.
    const stderr = await fetch(`${env().backend.url}/api/results/${record.result_id}/output/stderr`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await stderr.text()).toBe(record.stderr);
    expect((await fetch(`${env().backend.url}/api/results/${record.result_id}/output/stdout`)).status).toBe(401);
  });

  it("refuses to inline an output past the JSON limit, pointing at the raw route", async () => {
    const err = await withFullOutput(nats, record, 10_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KanadeError);
    expect((err as KanadeError).code).toBe("OUTPUT_TOO_LARGE");
    expect((err as KanadeError).message).toContain(`/api/results/${record.result_id}/output/stdout`);
  });

  it("shows no object whose chunks another PC wrote, nor one the ordinary client wrote", async () => {
    const execId = uuidv7();
    const r = makeResult(execId, "pc-victim", { stdout: "head", stdout_truncated: true });
    const key = resultOutputKey(r.result_id, "stdout");
    // Agent pc-rogue writes a metadata record under the victim's object name, pointing at its own chunks.
    await putOwnObject(jetstream(env().nc), { pcId: "pc-rogue", name: key, source: Readable.from([Buffer.from("forged", "utf8")]), maxPayload: undefined });
    await jetstream(env().nc).publish(subjects.result(execId, "pc-victim"), JSON.stringify({ ...r, stdout_object: key }), { msgID: r.result_id });
    await waitFor(async () => (await env().backend.api("GET", `/api/results/${r.result_id}`)).status === 200, { what: "the projected result" });
    const full = await env().backend.api("GET", `/api/results/${r.result_id}?full=1`);
    expect(full.status).toBe(404);
    expect(JSON.stringify(full.body)).toContain("was not written by pc-victim");
    const raw = await fetch(`${env().backend.url}/api/results/${r.result_id}/output/stdout`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(raw.status).toBe(404);
    expect(await raw.text()).not.toContain("forged");

    // An object with a chunk id that names no PC (what the client's own put makes) is not shown either.
    const other = makeResult(execId, "pc-plain", { stdout: "head", stdout_truncated: true });
    const otherKey = resultOutputKey(other.result_id, "stdout");
    await (await new Objm(jetstream(env().nc)).open(OBJECT_STORES.resultOutput)).putBlob({ name: otherKey }, new TextEncoder().encode("plain"));
    await jetstream(env().nc).publish(subjects.result(execId, "pc-plain"), JSON.stringify({ ...other, stdout_object: otherKey }), { msgID: other.result_id });
    await waitFor(async () => (await env().backend.api("GET", `/api/results/${other.result_id}`)).status === 200, { what: "the projected result" });
    expect((await env().backend.api("GET", `/api/results/${other.result_id}?full=1`)).status).toBe(404);
  });
});
