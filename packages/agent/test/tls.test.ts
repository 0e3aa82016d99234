/**
 * Encryption with a CA made by `pki init`: the broker serves only TLS, the backend and an agent connect with
 * `tls://` and verify the broker against the CA, a client without the CA is refused by its own verification,
 * and the backend serves HTTPS with the same CA's certificate.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { pkiInit, PKI_FILES } from "@kanade/backend";
import { startLockedNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, TEST_TOKEN, type LockedNats, type TestBackend, type TestFleet } from "@kanade/testkit";

const pki = tempDir("kanade-pki-");
const ca = (): string => pki.join(PKI_FILES.ca);

/** An HTTPS JSON call that trusts `caPem` only (undefined: the system's CAs). */
function https<T>(url: string, method: string, caPem: string | undefined, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ...(caPem ? { ca: caPem } : {}), headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T }));
    });
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe("TLS with a CA from pki init", () => {
  let broker: LockedNats;
  let backend: TestBackend;
  let fleet: TestFleet;

  beforeAll(async () => {
    await pkiInit({ dir: pki.path });
    broker = await startLockedNatsServer({ tlsDir: pki.path });
    backend = await startTestBackend(broker.url, {
      natsAuthDir: broker.authDir,
      natsCa: ca(),
      httpsCert: pki.join(PKI_FILES.cert),
      httpsKey: pki.join(PKI_FILES.key),
    });
    fleet = await startTestFleet(broker.url, []);
  });
  afterAll(async () => {
    await fleet?.close();
    await backend?.close();
    await broker?.dispose();
    pki.remove();
  });

  it("runs a command over tls:// with the broker verified against the CA, and serves HTTPS", async () => {
    expect(broker.url).toMatch(/^tls:\/\//);
    expect(backend.url).toMatch(/^https:\/\//);
    const c = broker.agent("tls-pc");
    await fleet.start("tls-pc", { credential: { jwt: c.jwt, seed: c.seed }, natsCa: ca() });
    const caPem = readFileSync(ca(), "utf8");
    await waitFor(async () => (await https<{ items: unknown[] }>(`${backend.url}/api/agents`, "GET", caPem)).body.items.length === 1, { what: "tls-pc seen" });
    const job = { id: "tls-hi", version: "1.0.0", execute: { shell: "sh", script: "echo over tls", timeout: "30s" } };
    expect((await https(`${backend.url}/api/jobs`, "POST", caPem, job)).status).toBe(201);
    const exec = await https<{ exec_id: string }>(`${backend.url}/api/exec/tls-hi`, "POST", caPem, { pcs: ["tls-pc"] });
    await waitFor(async () => (await https<{ counts: { succeeded: number } }>(`${backend.url}/api/executions/${exec.body.exec_id}`, "GET", caPem)).body.counts.succeeded === 1, {
      what: "tls-hi succeeded",
    });
  });

  it("refuses a broker or backend whose certificate does not chain to a trusted CA", async () => {
    const c = broker.agent("tls-rogue");
    // Without the CA the client's own verification fails: a man in the middle would too.
    await expect(connect({ servers: broker.url, authenticator: c.authenticator, reconnect: false })).rejects.toThrow(/certificate|self[- ]signed|verify/i);
    await expect(https(`${backend.url}/health`, "GET", undefined)).rejects.toThrow(/certificate|self[- ]signed|verify/i);
    const other = tempDir("kanade-pki-other-");
    try {
      await pkiInit({ dir: other.path });
      await expect(connect({ servers: broker.url, authenticator: c.authenticator, reconnect: false, tls: { caFile: other.join(PKI_FILES.ca) } })).rejects.toThrow(/certificate|verify|signature/i);
    } finally {
      other.remove();
    }
  });
});
